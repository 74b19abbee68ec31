"""One rule per claimable item of 肇高管办〔2022〕2号.

Each rule paraphrases its sentence of the text; amounts, rates, caps and thresholds are
parameters in policy.yaml, read at the claim's event date — no number is written here.
"""

from __future__ import annotations

from ipfund.engine.vocabulary import (
    ANY,
    Fact,
    ORG,
    AtMost,
    Amount,
    Cap,
    Condition,
    Fixed,
    Item,
    Less,
    Rate,
    Residual,
    Table,
    Tiers,
    base,
    choice,
    date,
    flag,
    identifier,
    money,
    nothing_left,
    number,
    patent_number,
    unless,
    work_title,
    year,
)
from dataclasses import replace

import numpy as np

from ipfund.engine.dates import add_years

ENTERPRISE = ("enterprise", "service_agency")


def chosen(iid: str, option: str):
    """Whether the interpretation `iid` is read as `option` (for a condition's mask)."""
    return lambda interp: interp.get(iid) == option


def filed_on():
    """When the claim was filed (optional): read only under A26=filed_within_validity."""
    return Fact("filed_on", "date", "申报日期（可选）", optional=True, default=None)


def design_award():
    return flag_optional("design_award", "外观设计奖")


def flag_optional(name, label):
    return Fact(name, "bool", label, optional=True, default=False)

PERSON = ("person",)
LEVELS_PATENT_AWARD = {"gold": "金奖", "silver": "银奖", "excellence": "优秀奖"}


def _operation_anniversary(row, P, interp) -> str:
    """The day the agency has operated the required years in the zone, beside the event date: a
    person sees when the claim could succeed (a 29 February registration counts to 28 February)."""
    import datetime as _dt

    years = int(P.value_one("agency_establishment.operation_years", row["event"]))
    registered = _dt.date.fromordinal(int(row["facts"]["registered_on"]))
    try:
        anniversary = registered.replace(year=registered.year + years)
    except ValueError:
        anniversary = registered.replace(year=registered.year + years, day=28)
    event = _dt.date.fromordinal(row["event"]).isoformat()
    return f"{registered.isoformat()} 注册，满{years}年之日为 {anniversary.isoformat()}；事件日期 {event}"


DESIGN_NOT_COVERED = Condition(
    "condition_not_met",
    "按本区采用的解释，外观设计奖不属于文中的专利金奖、银奖、优秀奖",
    lambda cols, P, interp, fen: cols.facts["design_award"] & chosen("A3", "not_covered")(interp),
    only_when=("A3", "not_covered"),
)

ITEMS = (
    # 一（一）对大赛获奖单位以及百强、五十强单位按照大赛工作方案奖励额度的50%给予配套奖励。
    Item(
        id="contest_match",
        clause="一（一）",
        title="高价值专利培育布局大赛配套奖励",
        source="对大赛获奖单位以及百强、五十强单位按照大赛工作方案奖励额度的50%给予配套奖励。",
        kinds=ORG,
        facts=(
            year("contest_year", "大赛届次（年度）"),
            choice("standing", "获奖档次", {"winner": "获奖单位", "top50": "五十强", "top100": "百强"}),
            base("contest_award_amount", "大赛工作方案奖励额度（元）"),
        ),
        formula=Rate("contest_match.rate", of="contest_award_amount"),
        summary="大赛奖励额度的 50%",
        key_when={
            ("A1", "per_edition"): ("applicant", "contest_year"),
            ("A1", "per_standing"): ("applicant", "contest_year", "standing"),
        },
        top_up_when=("A1", "top_up"),
        top_up_by=("applicant", "contest_year"),
        interpretations=("A1",),
    ),
    # 一（二）对国家知识产权示范企业、优势企业分别一次性给予15万元、10万元的奖励，对省知识产权示范企业一次性给予8万元奖励。
    Item(
        id="ip_strong_enterprise",
        clause="一（二）",
        title="知识产权示范、优势企业奖励",
        source="对国家知识产权示范企业、优势企业分别一次性给予15万元、10万元的奖励，对省知识产权示范企业一次性给予8万元奖励。",
        kinds=ENTERPRISE,
        facts=(
            choice(
                "title",
                "称号",
                {
                    "national_demonstration": "国家知识产权示范企业",
                    "national_advantage": "国家知识产权优势企业",
                    "provincial_demonstration": "省知识产权示范企业",
                },
            ),
        ),
        formula=Table("ip_strong_enterprise.amount", by="title"),
        summary="国家示范 15 万元、国家优势 10 万元、省示范 8 万元",
        key=("applicant", "title"),
        top_up_when=("A2", "top_up"),
        interpretations=("A2",),
    ),
    # 一（二）对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励30万元、20万元、15万元
    Item(
        id="china_patent_award",
        clause="一（二）",
        title="中国专利奖奖励",
        source="对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励30万元、20万元、15万元",
        kinds=ORG,
        facts=(patent_number("patent_number", "专利号"), choice("level", "奖项等级（外观设计奖同级）", LEVELS_PATENT_AWARD),
               design_award()),
        formula=Table("china_patent_award.amount", by="level"),
        summary="金奖 30 万元、银奖 20 万元、优秀奖 15 万元（每项）",
        conditions=(DESIGN_NOT_COVERED,),
        key=("patent_number",),
        key_when={("A4", "per_applicant"): ("patent_number", "applicant")},
        interpretations=("A3", "A4"),
    ),
    # 一（二）对获得广东省专利金奖、银奖、优秀奖的单位分别每项奖励15万元、10万元、5万元
    Item(
        id="guangdong_patent_award",
        clause="一（二）",
        title="广东专利奖奖励",
        source="对获得广东省专利金奖、银奖、优秀奖的单位分别每项奖励15万元、10万元、5万元",
        kinds=ORG,
        facts=(patent_number("patent_number", "专利号"), choice("level", "奖项等级（外观设计奖同级）", LEVELS_PATENT_AWARD),
               design_award()),
        formula=Table("guangdong_patent_award.amount", by="level"),
        summary="金奖 15 万元、银奖 10 万元、优秀奖 5 万元（每项）",
        conditions=(DESIGN_NOT_COVERED,),
        key=("patent_number",),
        key_when={("A4", "per_applicant"): ("patent_number", "applicant")},
        interpretations=("A3", "A4"),
    ),
    # 一（二）对获得广东省杰出发明人奖的，每人奖励2万元。
    Item(
        id="guangdong_outstanding_inventor",
        clause="一（二）",
        title="广东省杰出发明人奖奖励",
        source="对获得广东省杰出发明人奖的，每人奖励2万元。",
        kinds=PERSON,
        facts=(year("award_year", "获奖年度"),),
        formula=Fixed("guangdong_outstanding_inventor.amount"),
        summary="每人 2 万元",
        key=("applicant", "award_year"),
    ),
    # 一（三）全国宋庆龄少年儿童发明奖
    Item(
        id="song_qingling_award",
        clause="一（三）",
        title="全国宋庆龄少年儿童发明奖资助",
        source="对获得全国宋庆龄少年儿童发明奖金奖、银奖、铜奖、组织奖、最佳设计奖的分别资助5000元、3000元、2000元、2000元、3000元；",
        kinds=PERSON,
        kinds_by=("level", {"organization": ("school", "institution")}),
        facts=(
            choice(
                "level",
                "奖项",
                {"gold": "金奖", "silver": "银奖", "bronze": "铜奖", "organization": "组织奖", "best_design": "最佳设计奖"},
            ),
            year("award_year", "获奖年度"),
            work_title("work", "作品名称（组织奖不需要）", {"level": ("organization",)}),
        ),
        formula=Table("song_qingling_award.amount", by="level"),
        summary="金奖 5000、银奖 3000、铜奖 2000、组织奖 2000、最佳设计奖 3000 元",
        key=("applicant", "award_year", "level", "work"),
        key_when={("A20", "one_per_work"): ("award_year", "level", "work")},
        top_up_when=("A21", "highest_per_work"),
        top_up_by=("applicant", "award_year", "work"),
        interpretations=("A20", "A21"),
    ),
    # 一（三）省少年儿童发明奖
    Item(
        id="guangdong_youth_invention_award",
        clause="一（三）",
        title="省少年儿童发明奖资助",
        source="对获得省少年儿童发明奖一、二、三等奖、优秀奖、组织奖、园丁奖的分别资助3000元、2000元、1000元、500元、2000元、1000元；",
        kinds=PERSON,
        kinds_by=("level", {"organization": ("school", "institution")}),
        facts=(
            choice(
                "level",
                "奖项",
                {
                    "first": "一等奖",
                    "second": "二等奖",
                    "third": "三等奖",
                    "excellence": "优秀奖",
                    "organization": "组织奖",
                    "gardener": "园丁奖",
                },
            ),
            year("award_year", "获奖年度"),
            work_title("work", "作品名称（组织奖、园丁奖不需要）", {"level": ("organization", "gardener")}),
        ),
        formula=Table("guangdong_youth_invention_award.amount", by="level"),
        summary="一等 3000、二等 2000、三等 1000、优秀 500、组织奖 2000、园丁奖 1000 元",
        key=("applicant", "award_year", "level", "work"),
        key_when={("A20", "one_per_work"): ("award_year", "level", "work")},
        interpretations=("A20",),
    ),
    # 一（三）对评定为全国中小学知识产权教育试点、示范学校，一次性给予5万元和10万元的资助；
    Item(
        id="ip_education_school",
        clause="一（三）",
        title="全国中小学知识产权教育试点、示范学校资助",
        source="对评定为全国中小学知识产权教育试点、示范学校，一次性给予5万元和10万元的资助；",
        kinds=("school",),
        facts=(choice("level", "评定", {"pilot": "试点学校", "demonstration": "示范学校"}),),
        formula=Table("ip_education_school.amount", by="level"),
        summary="试点学校 5 万元、示范学校 10 万元",
        key=("applicant", "level"),
        top_up_when=("A19", "top_up"),
        interpretations=("A19",),
    ),
    # 一（三）对国家知识产权试点、示范高校，一次性给予10万元和15万元的资助。
    Item(
        id="ip_university",
        clause="一（三）",
        title="国家知识产权试点、示范高校资助",
        source="对国家知识产权试点、示范高校，一次性给予10万元和15万元的资助。",
        kinds=("university",),
        facts=(choice("level", "评定", {"pilot": "试点高校", "demonstration": "示范高校"}),),
        formula=Table("ip_university.amount", by="level"),
        summary="试点高校 10 万元、示范高校 15 万元",
        key=("applicant", "level"),
        top_up_when=("A19", "top_up"),
        interpretations=("A19",),
    ),
    # 二（二）以政府购买服务的方式委托全国知识产权服务品牌机构开展产业规划类专利导航项目实施，每项最高30万元；
    Item(
        id="navigation_industry_procurement",
        clause="二（二）",
        title="产业规划类专利导航（政府购买服务）",
        source="以政府购买服务的方式委托全国知识产权服务品牌机构开展产业规划类专利导航项目实施，每项最高30万元；",
        kinds=("service_agency",),
        facts=(
            identifier("project_id", "项目编号"),
            base("contract_amount", "合同金额（元）"),
            flag("brand_institution", "承接单位为全国知识产权服务品牌机构"),
        ),
        formula=AtMost(Amount("contract_amount"), "navigation_industry_procurement.max_per_project"),
        summary="按合同金额，每项最高 30 万元",
        conditions=(unless("brand_institution", "承接单位不是全国知识产权服务品牌机构"),),
        key=("project_id",),
        zone_exempt=True,
    ),
    # 二（二）企业运营类专利导航：验收合格并经审核通过后，按实际发生费用的50%补贴，每项最高15万元；已获上级资助的不重复资助。
    Item(
        id="navigation_enterprise",
        clause="二（二）",
        title="企业运营类专利导航补贴",
        source="鼓励园区企业开展企业运营类专利导航，在项目验收合格并经区主管部门审核通过后，按实际发生费用的50%对企业给予补贴，每项最高15万元；",
        kinds=ENTERPRISE,
        facts=(
            identifier("project_id", "项目编号"),
            base("actual_cost", "实际发生费用（元）"),
            flag("accepted", "项目验收合格并经区主管部门审核通过"),
            flag("higher_level_funded", "已获国家、省、市级专利导航项目资金支持"),
            money("higher_level_amount", "已获上级专利导航项目资金（元）", optional=True, default=0),
        ),
        formula=Less(
            AtMost(Rate("navigation_enterprise.rate", of="actual_cost"), "navigation_enterprise.max_per_project"),
            "higher_level_amount",
            when=("A22", "difference"),
        ),
        summary="实际费用的 50%，每项最高 15 万元",
        conditions=(
            unless("accepted", "项目未验收合格或未经区主管部门审核通过"),
            Condition(
                "funded_elsewhere",
                "已获得国家、省、市级专利导航分析项目资金支持的，不重复资助",
                lambda cols, P, interp, fen: cols.facts["higher_level_funded"] & (interp.get("A22") != "difference"),
                not_when=("A22", "difference"),
            ),
            Condition(
                "funded_elsewhere",
                "按本区采用的解释，上级资金已不少于区级补贴，无差额可补",
                lambda cols, P, interp, fen: cols.facts["higher_level_funded"] & (fen == 0),
                only_when=("A22", "difference"),
            ),
        ),
        key=("project_id",),
        interpretations=("A22",),
    ),
    # 二（三）对获得国家、省、市级知识产权运营项目资金支持的机构分别按照50%比例给予配套资金支持，最高每项给予20万元。
    Item(
        id="ip_operation_match",
        clause="二（三）",
        title="知识产权运营项目配套资金",
        source="对获得国家、省、市级知识产权运营项目资金支持的机构分别按照50%比例给予配套资金支持，最高每项给予20万元。",
        kinds=ORG,
        facts=(
            identifier("project_id", "项目编号"),
            choice("funding_level", "上级资金级别", {"national": "国家级", "provincial": "省级", "city": "市级"}),
            base("funding_amount", "上级资金金额（元）"),
        ),
        formula=Rate("ip_operation_match.rate", of="funding_amount"),
        summary="上级资金的 50%，同一项目合计最高 20 万元",
        key=("project_id", "funding_level"),
        cap=Cap(
            "ip_operation_match.cap_per_project",
            group=("project_id",),
            label="同一项目",
            group_when={("A5", "per_level"): (("project_id", "funding_level"), "同一项目、同一级资金")},
        ),
        interpretations=("A5",),
    ),
    # 二（四）对经主管部门组织评审通过的专利联盟一次性给予其秘书处20万元工作经费补贴。
    Item(
        id="patent_alliance",
        clause="二（四）",
        title="专利联盟秘书处工作经费补贴",
        source="对经主管部门组织评审通过的专利联盟一次性给予其秘书处20万元工作经费补贴。",
        kinds=ORG,
        facts=(identifier("alliance_id", "联盟编号"), flag("review_passed", "经主管部门组织评审通过")),
        formula=Fixed("patent_alliance.amount"),
        summary="一次性 20 万元",
        conditions=(unless("review_passed", "未经主管部门组织评审通过"),),
        key=("alliance_id",),
    ),
    # 三 在外国（地区）、中国内地提起专利侵权诉讼，最终判定侵权成立的，每件10万元、2万元，最高30万元、10万元。
    Item(
        id="patent_litigation",
        clause="三",
        title="专利侵权诉讼资助",
        source="对区内企事业单位或个人因其合法性专利权受到侵害，在外国（地区）、中国内地提起专利侵权诉讼（仲裁申请），最终判定或裁定对方专利侵权行为成立的，分别每件给予10万元、2万元资助，最高资助金额分别不超过30万元、10万元。",
        kinds=ANY,
        facts=(
            identifier("case_number", "案号"),
            Fact(
                "venue",
                "enum",
                "诉讼地",
                ("foreign", "domestic", "hk_macao_taiwan"),
                {"foreign": "外国（地区）", "domestic": "中国内地", "hk_macao_taiwan": "香港、澳门、台湾地区"},
                # A25: 港澳台 at the foreign rate (外国（地区）) or at the mainland's
                alias_when={"hk_macao_taiwan": ("A25", {"foreign_rate": "foreign", "domestic_rate": "domestic"})},
            ),
            flag("infringement_established", "判定或裁定对方侵权行为成立"),
            flag("judgment_effective", "裁判文书已生效"),
        ),
        formula=Table("patent_litigation.amount_per_case", by="venue"),
        summary="外国（地区）每件 10 万元、最高 30 万元；中国内地每件 2 万元、最高 10 万元",
        conditions=(
            unless("infringement_established", "未判定对方专利侵权行为成立"),
            unless("judgment_effective", "侵权是否成立以生效裁判文书为准，裁判文书尚未生效"),
            Condition(
                "applicant_kind",
                "按本区采用的解释，文中为“区内企事业单位或个人”，社会组织不在其列",
                lambda cols, P, interp, fen: (cols.kind == "social_org") & chosen("A24", "text_only")(interp),
                only_when=("A24", "text_only"),
            ),
        ),
        key=("case_number",),
        key_when={("A6", "per_plaintiff"): ("case_number", "applicant")},
        cap=Cap(
            "patent_litigation.cap",
            group=("applicant", "venue"),
            label="同一申请人、同一诉讼地",
            by="venue",
            per_year_when=("A7", "per_year"),
        ),
        interpretations=("A6", "A7", "A24", "A25"),
    ),
    # 四（一）对购买相关服务的中小微企业，按实际发生费用的50%予以补助，每家企业每年不超过1万元。
    Item(
        id="custody_sme",
        clause="四（一）",
        title="中小微企业知识产权托管补助",
        source="对购买相关服务的中小微企业，按实际发生费用的50%予以补助，每家企业每年不超过1万元。",
        kinds=ENTERPRISE,
        facts=(year("service_year", "服务年度"), base("actual_cost", "实际发生费用（元）")),
        formula=Rate("custody_sme.rate", of="actual_cost"),
        summary="实际费用的 50%，每家每年最高 1 万元",
        cap=Cap(
            "custody_sme.cap_per_year",
            group=("applicant", "service_year"),
            label="同一企业、同一服务年度",
            group_when={("A23", "event_year"): (("applicant", "event_year"), "同一企业、同一费用发生年度")},
        ),
        requires_sme=True,
        interpretations=("A23",),
    ),
    # 四（一）对为区内中小微企业提供知识产权托管服务累计达到10家、20家、30家以上的服务机构，分别给予一次性5万元、10万元、15万元资助。
    Item(
        id="custody_provider",
        clause="四（一）",
        title="知识产权托管服务机构资助",
        source="对为区内中小微企业提供知识产权托管服务累计达到10家、20家、30家以上的服务机构，分别给予一次性5万元、10万元、15万元资助。",
        kinds=("service_agency",),
        facts=(
            Fact(
                "sme_clients",
                "uscc_list",
                "已服务的区内中小微企业（统一社会信用代码）",
                reads_when={("A8", "per_contract"): "count_all"},
            ),
        ),
        formula=Tiers("custody_provider.tiers", of="sme_clients", cumulative_when=("A9", "cumulative")),
        summary="累计服务 10 家 5 万元、20 家 10 万元、30 家 15 万元（补足差额）",
        conditions=(nothing_left("累计服务区内中小微企业不足 10 家", "below_threshold"),),
        top_up_when=True,
        interpretations=("A8", "A9"),
    ),
    # 四（二）贯标认证首个认证周期内的认证费用，先申请市级补助，差额由区级补足。
    Item(
        id="ipms_certification",
        clause="四（二）",
        title="知识产权贯标认证费用补助",
        source="企业原则先申请市级政策补助，与实际认证费用的差额部分由区级补足。",
        kinds=ENTERPRISE,
        facts=(
            choice(
                "stage",
                "认证阶段",
                {
                    "initial": "初次认证",
                    "surveillance_1": "第一次监督审核",
                    "surveillance_2": "第二次监督审核",
                    "recertification": "再认证",
                },
            ),
            flag("first_cycle", "属于首个认证周期"),
            flag("city_applied", "已先申请市级政策补助"),
            money("actual_cost", "实际认证费用（元）"),
            money("city_subsidy", "市级补助金额（元）"),
            money("other_subsidies", "其他补助金额（元）", optional=True, default=0),
            choice(
                "standard",
                "认证依据标准",
                {"2013": "GB/T 29490-2013", "2023": "GB/T 29490-2023"},
                optional=True,
                default="2013",
            ),
        ),
        formula=Residual("actual_cost", minus=("city_subsidy", "other_subsidies")),
        summary="实际认证费用减去市级及其他补助后的差额",
        conditions=(
            unless("first_cycle", "不属于首个认证周期"),
            Condition(
                "condition_not_met",
                "按本区采用的解释，再认证开始新的认证周期，不属于首个认证周期",
                lambda cols, P, interp, fen: (cols.facts["stage"] == "recertification") & chosen("A17", "excluded")(interp),
                only_when=("A17", "excluded"),
            ),
            Condition(
                "condition_not_met",
                "未先申请市级政策补助",
                lambda cols, P, interp, fen: ~cols.facts["city_applied"] & (interp.get("A16") != "in_principle"),
                not_when=("A16", "in_principle"),
            ),
            Condition(
                "condition_not_met",
                "按本区采用的解释，仅 GB/T 29490-2013 认证可获补助",
                lambda cols, P, interp, fen: (cols.facts["standard"] == "2023") & (interp.get("A11") == "strict_2013"),
                only_when=("A11", "strict_2013"),
            ),
            nothing_left("市级及其他补助已覆盖全部认证费用，区级无差额可补", "funded_elsewhere"),
        ),
        key=("applicant", "stage"),
        interpretations=("A11", "A16", "A17"),
    ),
    # 五（一）新设或新引进的代理机构、分支机构正常运营1年以上的，一次性后补助10万、5万元；品牌机构分支机构10万元。
    Item(
        id="agency_establishment",
        clause="五（一）",
        title="新设立、新引进知识产权服务机构一次性后补助",
        source="对新设立或新引进的经国家知识产权局批准设立并在我区注册的知识产权代理机构、分支机构且正常运营1年以上的，分别给予一次性后补助10万、5万元。",
        kinds=("service_agency",),
        facts=(
            choice(
                "kind",
                "机构类别",
                {"agency": "知识产权代理机构", "branch": "分支机构", "brand_branch": "国家知识产权服务品牌机构分支机构"},
            ),
            date("registered_on", "在区注册日期"),
            flag("cnipa_approved", "经国家知识产权局批准设立"),
            flag("commitment_3y", "已提交在区内经营不少于3年的承诺书"),
        ),
        formula=Table("agency_establishment.amount", by="kind"),
        summary="代理机构 10 万元、分支机构 5 万元、品牌机构分支机构 10 万元",
        conditions=(
            Condition(
                "condition_not_met",
                "代理机构、分支机构须经国家知识产权局批准设立",
                lambda cols, P, interp, fen: ~cols.facts["cnipa_approved"] & (cols.facts["kind"] != "brand_branch"),
            ),
            unless("commitment_3y", "未提交在区内经营不少于3年的承诺书"),
            Condition(
                "condition_not_met",
                "在区注册日期早于“新设立或新引进”的最早注册日",
                lambda cols, P, interp, fen: cols.facts["registered_on"]
                < (
                    P.date("agency_establishment.earliest_registration", cols.event)
                    if interp.get("A18") != "first_year_in_validity"
                    else add_years(np.broadcast_to(P.date("agency_establishment.earliest_registration", cols.event), (cols.n,)), -1)
                ),
            ),
            Condition(
                "condition_not_met",
                "自在区注册之日起正常运营未满1年",
                lambda cols, P, interp, fen: _short_of(
                    cols.event,
                    add_years(cols.facts["registered_on"], P.number("agency_establishment.operation_years", cols.event)),
                    interp,
                ),
                detail=_operation_anniversary,
            ),
        ),
        key=("applicant",),
        key_when={("A15", "per_kind"): ("applicant", "kind")},
        interpretations=("A14", "A15", "A18"),
    ),
    # 五（一）当年知识产权服务费收入超过100万元、200万元、500万元的，一次性奖励3万元、6万元、15万元。
    Item(
        id="service_revenue",
        clause="五（一）",
        title="知识产权服务费收入奖励",
        source="当年知识产权服务费收入超过100万元的，给予一次性奖励3万元；当年知识产权服务费收入超过200万元的，给予一次性奖励6万元；当年知识产权服务费收入超过500万元的，给予一次性奖励15万元。",
        kinds=ORG,
        facts=(year("year", "收入年度"), money("ip_service_revenue", "当年知识产权服务费收入（以发票为准，元）")),
        formula=Tiers("service_revenue.tiers", of="ip_service_revenue", of_money=True, cumulative_when=("A13", "cumulative")),
        summary="年收入超过 100 万元 3 万元、超过 200 万元 6 万元、超过 500 万元 15 万元",
        conditions=(nothing_left("当年知识产权服务费收入未超过 100 万元", "below_threshold"),),
        key=("applicant", "year"),
        key_when={("A12", "once"): ("applicant",), ("A23", "event_year"): ("applicant", "event_year")},
        interpretations=("A12", "A13", "A23"),
    ),
    # 五（二）通过国家专利代理师考试并在区内任职，且任职合同期3年以上的，每人一次性5000元。
    Item(
        id="patent_attorney",
        clause="五（二）",
        title="专利代理师资助",
        source="对通过国家专利代理师考试并在区内专利代理机构、服务机构或企事业单位任职，且任职合同期3年以上的，每人给予一次性5000元资助。",
        kinds=PERSON,
        facts=(
            flag("passed_exam", "通过国家专利代理师考试"),
            flag("employed_in_zone", "在区内专利代理机构、服务机构或企事业单位任职"),
            number("contract_years", "任职合同期（年）"),
        ),
        formula=Fixed("patent_attorney.amount"),
        summary="每人一次性 5000 元",
        conditions=(
            unless("passed_exam", "未通过国家专利代理师考试"),
            unless("employed_in_zone", "未在区内专利代理机构、服务机构或企事业单位任职"),
            Condition(
                "condition_not_met",
                "任职合同期不足 3 年",
                lambda cols, P, interp, fen: _short_of(
                    cols.facts["contract_years"], P.number("patent_attorney.min_contract_years", cols.event), interp
                ),
            ),
        ),
        key=("applicant",),
        interpretations=("A14",),
    ),
    # 五（二）通过中国认证认可协会注册的知识产权管理体系审核员，全职认证工作的本区户籍人口或常住居民，一次性5000元。
    Item(
        id="ipms_auditor",
        clause="五（二）",
        title="知识产权管理体系审核员资助",
        source="对通过中国认证认可协会注册的知识产权管理体系审核员，且从事全职认证工作的本区户籍人口或常住居民，一次性给予5000元资助。",
        kinds=PERSON,
        facts=(
            flag("ccaa_registered", "通过中国认证认可协会注册"),
            flag("full_time", "从事全职认证工作"),
            flag("local_resident", "本区户籍人口或常住居民"),
        ),
        formula=Fixed("ipms_auditor.amount"),
        summary="一次性 5000 元",
        conditions=(
            unless("ccaa_registered", "未经中国认证认可协会注册"),
            unless("full_time", "未从事全职认证工作"),
            unless("local_resident", "不是本区户籍人口或常住居民"),
        ),
        key=("applicant",),
    ),
)


def _short_of(value, least, interp):
    """Where `value` falls short of "`least` 以上": below it (A14 default, 以上 includes the number
    itself), or not beyond it (A14=exclusive)."""
    return value <= least if interp.get("A14") == "exclusive" else value < least


# A26 (claims filed after the policy expired) reads when each claim was filed: every item takes
# the optional fact.
ITEMS = tuple(replace(item, facts=item.facts + (filed_on(),)) for item in ITEMS)

