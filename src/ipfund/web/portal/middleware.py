"""Language of the pages: Chinese unless the visitor chose English with the language switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a civil servant whose
desktop is set to English would get English pages unasked. The fund's pages are Chinese by
default; English is a choice (the set_language cookie), never a guess.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseByDefaultLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
