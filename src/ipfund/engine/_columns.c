/* A block of JSON lines read straight into one item's columns, for bulk evaluation.
 *
 * This is the compiled twin of wire.py's msgspec pass plus FastColumns.transpose: one scan of
 * the bytes, no intermediate structs. It is deliberately narrow. It accepts a line only when the
 * line is a claim of the plainest form -- one JSON object, keys the contract names and no other,
 * each key once, strings without escapes, integers without fraction or exponent, dates as
 * YYYY-MM-DD -- and when every value has the type its fact declares. Anything else (an escape, an
 * unknown key, a float, a null where none is allowed, invalid UTF-8, a second value on the line)
 * makes the line *doubtful*: it is handed back as bytes for the careful reader, which remains the
 * definition of validity. So this reader can only save work, never decide.
 *
 * What it accepts it yields as the msgspec path would after its own checks: strings as str,
 * booleans, integers, enum values and kinds as the schema's own str objects, the event date and
 * date facts as proleptic Gregorian ordinals (date.toordinal), and money -- text of the plain
 * form \d{1,12}(\.\d{1,2})? or an integer from 0 to 10^11 -- as integer fen. Facts whose
 * converted form another check would misread are declared raw by the schema (T_MONEY_RAW,
 * T_DATE_RAW) and yielded as the msgspec path yields them.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

enum {
    T_YEAR = 0, T_MONEY_FEN, T_BOOL, T_TEXT, T_DATE_ORD, T_NUMBER, T_CODE_LIST, T_ENUM,
    T_MONEY_RAW, T_DATE_RAW, T_COUNT
};

/* The fixed columns of every item, in FastColumns.transpose's order; facts follow. */
enum { C_KIND = 0, C_AID, C_IN_ZONE, C_SME, C_NAME, C_EVENT, C_ID, C_FIXED };

#define MONEY_MAX 100000000000LL

/* The SHA-256 of this file, given by setup.py: ipfund.engine.compiled compares it with the source
 * installed beside the module and refuses a stale build. Empty when built some other way. */
#ifndef IPFUND_COLUMNS_SHA256
#define IPFUND_COLUMNS_SHA256 ""
#endif

typedef struct {
    const char *s;
    Py_ssize_t n;
    PyObject *obj; /* the str it stands for (borrowed from the schema's tuple) */
} Word;

typedef struct {
    Word name;
    int type;
    int optional;
    PyObject *dflt; /* the column value when the fact is left out (borrowed) */
    Py_ssize_t n_options;
    Word *options;
} Fact;

typedef struct {
    Word name;
    Py_ssize_t n_facts;
    Fact *facts;
} Item;

typedef struct {
    Py_ssize_t n_items;
    Item *items;
    Py_ssize_t max_facts; /* the most facts of any item: a line's slots are sized by it */
    Py_ssize_t n_kinds;
    Word *kinds;
    PyObject *keep; /* the tuple every pointer above points into */
} Schema;

#define SCHEMA_NAME "ipfund.engine._columns.Schema"

/* ------------------------------------------------------------------------------------------ */
/* The schema: compile_schema(items, kinds)
 *   items: tuple of (name: bytes, name_str: str, facts: tuple of
 *          (name: bytes, type: int, optional: bool, default, options: tuple of (bytes, str)))
 *   kinds: tuple of (bytes, str)                                                              */

static void schema_free(Schema *sc) {
    if (!sc) return;
    if (sc->items) {
        for (Py_ssize_t i = 0; i < sc->n_items; i++) {
            Item *it = &sc->items[i];
            if (it->facts) {
                for (Py_ssize_t j = 0; j < it->n_facts; j++) PyMem_Free(it->facts[j].options);
                PyMem_Free(it->facts);
            }
        }
        PyMem_Free(sc->items);
    }
    PyMem_Free(sc->kinds);
    Py_XDECREF(sc->keep);
    PyMem_Free(sc);
}

static void schema_capsule_free(PyObject *capsule) {
    schema_free((Schema *)PyCapsule_GetPointer(capsule, SCHEMA_NAME));
}

static int word_from(PyObject *pair, Word *w) {
    /* (bytes, str) */
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyBytes_Check(PyTuple_GET_ITEM(pair, 0)) ||
        !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1))) {
        PyErr_SetString(PyExc_TypeError, "expected (bytes, str)");
        return -1;
    }
    w->s = PyBytes_AS_STRING(PyTuple_GET_ITEM(pair, 0));
    w->n = PyBytes_GET_SIZE(PyTuple_GET_ITEM(pair, 0));
    w->obj = PyTuple_GET_ITEM(pair, 1);
    return 0;
}

static int words_from(PyObject *tuple, Word **out, Py_ssize_t *n) {
    if (!PyTuple_Check(tuple)) {
        PyErr_SetString(PyExc_TypeError, "expected a tuple of (bytes, str)");
        return -1;
    }
    *n = PyTuple_GET_SIZE(tuple);
    *out = PyMem_Calloc(*n ? *n : 1, sizeof(Word));
    if (!*out) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < *n; i++)
        if (word_from(PyTuple_GET_ITEM(tuple, i), &(*out)[i]) < 0) return -1;
    return 0;
}

static PyObject *compile_schema(PyObject *self, PyObject *args) {
    PyObject *items, *kinds;
    if (!PyArg_ParseTuple(args, "O!O!", &PyTuple_Type, &items, &PyTuple_Type, &kinds)) return NULL;
    Schema *sc = PyMem_Calloc(1, sizeof(Schema));
    if (!sc) return PyErr_NoMemory();
    sc->keep = Py_BuildValue("(OO)", items, kinds);
    if (!sc->keep) goto fail;
    if (words_from(kinds, &sc->kinds, &sc->n_kinds) < 0) goto fail;
    sc->n_items = PyTuple_GET_SIZE(items);
    sc->items = PyMem_Calloc(sc->n_items ? sc->n_items : 1, sizeof(Item));
    if (!sc->items) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < sc->n_items; i++) {
        PyObject *spec = PyTuple_GET_ITEM(items, i);
        PyObject *name, *name_str, *facts;
        if (!PyArg_ParseTuple(spec, "O!O!O!", &PyBytes_Type, &name, &PyUnicode_Type, &name_str, &PyTuple_Type, &facts))
            goto fail;
        Item *it = &sc->items[i];
        it->name.s = PyBytes_AS_STRING(name);
        it->name.n = PyBytes_GET_SIZE(name);
        it->name.obj = name_str;
        it->n_facts = PyTuple_GET_SIZE(facts);
        if (it->n_facts > sc->max_facts) sc->max_facts = it->n_facts;
        it->facts = PyMem_Calloc(it->n_facts ? it->n_facts : 1, sizeof(Fact));
        if (!it->facts) {
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t j = 0; j < it->n_facts; j++) {
            PyObject *fname, *fname_str, *dflt, *options;
            int type, optional;
            if (!PyArg_ParseTuple(PyTuple_GET_ITEM(facts, j), "O!O!ipOO!", &PyBytes_Type, &fname, &PyUnicode_Type,
                                  &fname_str, &type, &optional, &dflt, &PyTuple_Type, &options))
                goto fail;
            if (type < 0 || type >= T_COUNT) {
                PyErr_SetString(PyExc_ValueError, "unknown fact type code");
                goto fail;
            }
            Fact *f = &it->facts[j];
            f->name.s = PyBytes_AS_STRING(fname);
            f->name.n = PyBytes_GET_SIZE(fname);
            f->name.obj = fname_str;
            f->type = type;
            f->optional = optional;
            f->dflt = dflt;
            if (words_from(options, &f->options, &f->n_options) < 0) goto fail;
        }
    }
    PyObject *capsule = PyCapsule_New(sc, SCHEMA_NAME, schema_capsule_free);
    if (!capsule) goto fail;
    return capsule;
fail:
    schema_free(sc);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing one line. Every parse_* returns OK, DOUBT (the careful reader must look) or ERR (a
 * Python exception is set: memory). */

#define OK 0
#define DOUBT 1
#define ERR (-1)

typedef struct {
    const char *p;
    const char *end;
} Cur;

static inline void skip_ws(Cur *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r')) c->p++;
}

static inline int expect(Cur *c, char ch) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != ch) return DOUBT;
    c->p++;
    return OK;
}

/* A string without escapes or control characters: where its bytes lie, and whether all ASCII. */
static inline int raw_string(Cur *c, const char **s, Py_ssize_t *n, int *ascii) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != '"') return DOUBT;
    const char *start = ++c->p;
    unsigned char high = 0;
    while (c->p < c->end) {
        unsigned char b = (unsigned char)*c->p;
        if (b == '"') {
            *s = start;
            *n = c->p - start;
            *ascii = !(high & 0x80);
            c->p++;
            return OK;
        }
        if (b == '\\' || b < 0x20) return DOUBT;
        high |= b;
        c->p++;
    }
    return DOUBT;
}

static int make_str(const char *s, Py_ssize_t n, int ascii, PyObject **out) {
    if (ascii) {
        PyObject *u = PyUnicode_New(n, 127);
        if (!u) return ERR;
        memcpy(PyUnicode_DATA(u), s, n);
        *out = u;
        return OK;
    }
    PyObject *u = PyUnicode_DecodeUTF8(s, n, "strict");
    if (!u) {
        if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
            PyErr_Clear();
            return DOUBT;
        }
        return ERR;
    }
    *out = u;
    return OK;
}

static int string_value(Cur *c, PyObject **out) {
    const char *s;
    Py_ssize_t n;
    int ascii;
    if (raw_string(c, &s, &n, &ascii) != OK) return DOUBT;
    return make_str(s, n, ascii, out);
}

static inline int word_is(const Word *w, const char *s, Py_ssize_t n) {
    return w->n == n && memcmp(w->s, s, n) == 0;
}

static int word_value(Cur *c, const Word *words, Py_ssize_t n_words, Py_ssize_t *index) {
    const char *s;
    Py_ssize_t n;
    int ascii;
    if (raw_string(c, &s, &n, &ascii) != OK) return DOUBT;
    for (Py_ssize_t i = 0; i < n_words; i++)
        if (word_is(&words[i], s, n)) {
            *index = i;
            return OK;
        }
    return DOUBT;
}

/* A JSON integer (no fraction, no exponent, no leading zero), of at most 18 digits. */
static int int_value(Cur *c, long long *v) {
    skip_ws(c);
    const char *p = c->p;
    int neg = 0;
    if (p < c->end && *p == '-') {
        neg = 1;
        p++;
    }
    const char *digits = p;
    long long x = 0;
    while (p < c->end && *p >= '0' && *p <= '9') {
        x = x * 10 + (*p - '0');
        p++;
        if (p - digits > 18) return DOUBT;
    }
    Py_ssize_t nd = p - digits;
    if (nd == 0 || (nd > 1 && digits[0] == '0')) return DOUBT;
    if (p < c->end && (*p == '.' || *p == 'e' || *p == 'E')) return DOUBT;
    c->p = p;
    *v = neg ? -x : x;
    return OK;
}

/* A number: an integer as int, else a JSON number with a fraction or an exponent as float
 * (correctly rounded, as msgspec and float() read it). */
static int number_value(Cur *c, PyObject **out) {
    long long v;
    Cur probe = *c;
    if (int_value(&probe, &v) == OK) {
        *c = probe;
        *out = PyLong_FromLongLong(v);
        return *out ? OK : ERR;
    }
    skip_ws(c);
    const char *p = c->p, *start = c->p;
    if (p < c->end && *p == '-') p++;
    const char *digits = p;
    while (p < c->end && *p >= '0' && *p <= '9') p++;
    if (p == digits || (p - digits > 1 && digits[0] == '0')) return DOUBT;
    if (p < c->end && *p == '.') {
        const char *f = ++p;
        while (p < c->end && *p >= '0' && *p <= '9') p++;
        if (p == f) return DOUBT;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < c->end && (*p == '+' || *p == '-')) p++;
        const char *x = p;
        while (p < c->end && *p >= '0' && *p <= '9') p++;
        if (p == x) return DOUBT;
    }
    if (!memchr(start, '.', p - start) && !memchr(start, 'e', p - start) && !memchr(start, 'E', p - start))
        return DOUBT; /* an integer too long for the fast path */
    char text[64];
    if (p - start >= (Py_ssize_t)sizeof text) return DOUBT;
    memcpy(text, start, p - start);
    text[p - start] = '\0';
    double d = PyOS_string_to_double(text, NULL, NULL);
    if (d == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return DOUBT;
    }
    if (!isfinite(d)) return DOUBT;
    c->p = p;
    *out = PyFloat_FromDouble(d);
    return *out ? OK : ERR;
}

static int literal(Cur *c, const char *word, Py_ssize_t n) {
    skip_ws(c);
    if (c->end - c->p < n || memcmp(c->p, word, n) != 0) return DOUBT;
    c->p += n;
    return OK;
}

static int bool_value(Cur *c, PyObject **out) {
    skip_ws(c);
    if (c->p < c->end && *c->p == 't') {
        if (literal(c, "true", 4) != OK) return DOUBT;
        *out = Py_NewRef(Py_True);
        return OK;
    }
    if (literal(c, "false", 5) != OK) return DOUBT;
    *out = Py_NewRef(Py_False);
    return OK;
}

static const int DAYS_BEFORE_MONTH[13] = {0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

static inline int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* "YYYY-MM-DD", a day of the proleptic Gregorian calendar from 0001-01-01 on. */
static int date_parts(Cur *c, int *y, int *m, int *d) {
    const char *s;
    Py_ssize_t n;
    int ascii;
    if (raw_string(c, &s, &n, &ascii) != OK || n != 10 || s[4] != '-' || s[7] != '-') return DOUBT;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return DOUBT;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    if (*y < 1 || *m < 1 || *m > 12 || *d < 1) return DOUBT;
    static const int DAYS_IN_MONTH[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = DAYS_IN_MONTH[*m] + (*m == 2 && is_leap(*y));
    return *d <= dim ? OK : DOUBT;
}

static long ordinal(int y, int m, int d) {
    long yy = y - 1;
    return yy * 365 + yy / 4 - yy / 100 + yy / 400 + DAYS_BEFORE_MONTH[m] + (m > 2 && is_leap(y)) + d;
}

static int date_ordinal(Cur *c, PyObject **out) {
    int y, m, d;
    if (date_parts(c, &y, &m, &d) != OK) return DOUBT;
    *out = PyLong_FromLong(ordinal(y, m, d));
    return *out ? OK : ERR;
}

/* Money: the plain text form \d{1,12}(\.\d{1,2})? or an integer 0..10^11 (yuan), as fen. */
static int money_fen(Cur *c, PyObject **out) {
    skip_ws(c);
    if (c->p < c->end && *c->p == '"') {
        const char *s;
        Py_ssize_t n;
        int ascii;
        if (raw_string(c, &s, &n, &ascii) != OK) return DOUBT;
        long long whole = 0, frac = 0;
        Py_ssize_t i = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (i == 12) return DOUBT; /* a thirteenth digit: more than money may be */
            whole = whole * 10 + (s[i++] - '0');
        }
        if (i == 0) return DOUBT;
        if (i < n) {
            if (s[i] != '.') return DOUBT;
            Py_ssize_t k = n - i - 1;
            if (k < 1 || k > 2) return DOUBT;
            for (Py_ssize_t j = i + 1; j < n; j++) {
                if (s[j] < '0' || s[j] > '9') return DOUBT;
                frac = frac * 10 + (s[j] - '0');
            }
            if (k == 1) frac *= 10;
        }
        *out = PyLong_FromLongLong(whole * 100 + frac);
        return *out ? OK : ERR;
    }
    long long v;
    if (int_value(c, &v) != OK || v < 0 || v > MONEY_MAX) return DOUBT;
    *out = PyLong_FromLongLong(v * 100);
    return *out ? OK : ERR;
}

/* Money as the msgspec path holds it: the text itself, or the integer of yuan. */
static int money_raw(Cur *c, PyObject **out) {
    skip_ws(c);
    if (c->p < c->end && *c->p == '"') return string_value(c, out);
    long long v;
    if (int_value(c, &v) != OK || v < 0 || v > MONEY_MAX) return DOUBT;
    *out = PyLong_FromLongLong(v);
    return *out ? OK : ERR;
}

static int code_list(Cur *c, PyObject **out) {
    if (expect(c, '[') != OK) return DOUBT;
    PyObject *list = PyList_New(0);
    if (!list) return ERR;
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        *out = list;
        return OK;
    }
    for (;;) {
        PyObject *s;
        int r = string_value(c, &s);
        if (r != OK) {
            Py_DECREF(list);
            return r;
        }
        int e = PyList_Append(list, s);
        Py_DECREF(s);
        if (e < 0) {
            Py_DECREF(list);
            return ERR;
        }
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            *out = list;
            return OK;
        }
        Py_DECREF(list);
        return DOUBT;
    }
}

static int fact_value(Cur *c, const Fact *f, PyObject **out) {
    long long v;
    Py_ssize_t k;
    switch (f->type) {
    case T_YEAR:
        if (int_value(c, &v) != OK || v < 1 || v > 9999) return DOUBT;
        *out = PyLong_FromLongLong(v);
        return *out ? OK : ERR;
    case T_NUMBER:
        return number_value(c, out);
    case T_MONEY_FEN:
        return money_fen(c, out);
    case T_MONEY_RAW:
        return money_raw(c, out);
    case T_BOOL:
        return bool_value(c, out);
    case T_TEXT:
        return string_value(c, out);
    case T_DATE_ORD:
        return date_ordinal(c, out);
    case T_DATE_RAW: {
        int y, m, d;
        if (date_parts(c, &y, &m, &d) != OK) return DOUBT;
        *out = PyDate_FromDate(y, m, d);
        return *out ? OK : ERR;
    }
    case T_CODE_LIST:
        return code_list(c, out);
    case T_ENUM:
        if (word_value(c, f->options, f->n_options, &k) != OK) return DOUBT;
        *out = Py_NewRef(f->options[k].obj);
        return OK;
    }
    return DOUBT;
}

/* Any JSON value, skipped only to find where it ends (its content is read again strictly). */
static int skip_value(Cur *c) {
    int depth = 0;
    skip_ws(c);
    for (;;) {
        if (c->p >= c->end) return DOUBT;
        char ch = *c->p;
        if (ch == '"') {
            c->p++;
            while (c->p < c->end && *c->p != '"') c->p += (*c->p == '\\') ? 2 : 1;
            if (c->p >= c->end) return DOUBT;
            c->p++;
        } else if (ch == '{' || ch == '[') {
            depth++;
            c->p++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0) return DOUBT;
            depth--;
            c->p++;
        } else if (depth == 0) { /* a scalar: it ends at a delimiter */
            while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' && *c->p != ' ' &&
                   *c->p != '\t' && *c->p != '\r')
                c->p++;
            return OK;
        } else {
            c->p++;
        }
        if (depth == 0) return OK;
    }
}

/* The slots of one line: C_FIXED fixed values, then one per fact of the widest item (cap). */
typedef struct {
    PyObject **v;
    Py_ssize_t n;   /* how many may hold a value: cleared after each line */
    Py_ssize_t cap; /* C_FIXED + the schema's max_facts */
} Slots;

static void slots_clear(Slots *sl) {
    for (Py_ssize_t i = 0; i < sl->n; i++) Py_CLEAR(sl->v[i]);
}

static inline int object_next(Cur *c, int *done) {
    /* after a member: ',' (another follows) or '}' (the object ends) */
    skip_ws(c);
    if (c->p < c->end && *c->p == ',') {
        c->p++;
        *done = 0;
        return OK;
    }
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        *done = 1;
        return OK;
    }
    return DOUBT;
}

static inline int key(Cur *c, const char **s, Py_ssize_t *n) {
    int ascii;
    if (raw_string(c, s, n, &ascii) != OK) return DOUBT;
    return expect(c, ':');
}

#define KEY_IS(lit) (n == (Py_ssize_t)sizeof(lit) - 1 && memcmp(s, lit, n) == 0)
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        int _r = (expr);                                                                           \
        if (_r != OK) return _r;                                                                   \
    } while (0)

static int applicant(Cur *c, const Schema *sc, Slots *sl) {
    TRY(expect(c, '{'));
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') return DOUBT; /* id, kind and in_zone are required */
    for (int done = 0; !done;) {
        const char *s;
        Py_ssize_t n;
        TRY(key(c, &s, &n));
        if (KEY_IS("id")) {
            if (sl->v[C_AID]) return DOUBT;
            const char *vs;
            Py_ssize_t vn;
            int ascii;
            if (raw_string(c, &vs, &vn, &ascii) != OK) return DOUBT;
            if (ascii && vn != 18) return DOUBT;
            TRY(make_str(vs, vn, ascii, &sl->v[C_AID]));
            if (PyUnicode_GET_LENGTH(sl->v[C_AID]) != 18) return DOUBT;
        } else if (KEY_IS("kind")) {
            Py_ssize_t k;
            if (sl->v[C_KIND]) return DOUBT;
            TRY(word_value(c, sc->kinds, sc->n_kinds, &k));
            sl->v[C_KIND] = Py_NewRef(sc->kinds[k].obj);
        } else if (KEY_IS("in_zone")) {
            if (sl->v[C_IN_ZONE]) return DOUBT;
            TRY(bool_value(c, &sl->v[C_IN_ZONE]));
        } else if (KEY_IS("sme")) {
            if (sl->v[C_SME]) return DOUBT;
            TRY(bool_value(c, &sl->v[C_SME]));
        } else if (KEY_IS("name")) {
            if (sl->v[C_NAME]) return DOUBT;
            skip_ws(c);
            if (c->p < c->end && *c->p == 'n') {
                TRY(literal(c, "null", 4));
                sl->v[C_NAME] = Py_NewRef(Py_None);
            } else {
                TRY(string_value(c, &sl->v[C_NAME]));
            }
        } else {
            return DOUBT;
        }
        TRY(object_next(c, &done));
    }
    if (!sl->v[C_AID] || !sl->v[C_KIND] || !sl->v[C_IN_ZONE]) return DOUBT;
    if (!sl->v[C_SME]) sl->v[C_SME] = Py_NewRef(Py_False);
    if (!sl->v[C_NAME]) sl->v[C_NAME] = Py_NewRef(Py_None);
    return OK;
}

static int facts(Cur *c, const Item *it, Slots *sl) {
    PyObject **v = sl->v + C_FIXED;
    TRY(expect(c, '{'));
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
    } else {
        for (int done = 0; !done;) {
            const char *s;
            Py_ssize_t n, j;
            TRY(key(c, &s, &n));
            for (j = 0; j < it->n_facts; j++)
                if (word_is(&it->facts[j].name, s, n)) break;
            if (j == it->n_facts || v[j]) return DOUBT; /* unknown or repeated */
            TRY(fact_value(c, &it->facts[j], &v[j]));
            TRY(object_next(c, &done));
        }
    }
    for (Py_ssize_t j = 0; j < it->n_facts; j++) {
        if (v[j]) continue;
        if (!it->facts[j].optional || !it->facts[j].dflt || it->facts[j].dflt == Py_Ellipsis) return DOUBT;
        PyObject *d = it->facts[j].dflt;
        /* a mutable default is given fresh to each claim, as msgspec does */
        v[j] = PyList_Check(d) ? PyList_GetSlice(d, 0, PyList_GET_SIZE(d)) : Py_NewRef(d);
        if (!v[j]) return ERR;
    }
    return OK;
}

/* One line: OK with the slots filled and *item set, DOUBT, or ERR. */
static int claim(Cur *c, const Schema *sc, Slots *sl, Py_ssize_t *item) {
    const char *facts_at = NULL, *facts_end = NULL;
    int have_item = 0, have_facts = 0;
    sl->n = sl->cap;
    TRY(expect(c, '{'));
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') return DOUBT;
    for (int done = 0; !done;) {
        const char *s;
        Py_ssize_t n;
        TRY(key(c, &s, &n));
        if (KEY_IS("id")) {
            if (sl->v[C_ID]) return DOUBT;
            TRY(string_value(c, &sl->v[C_ID]));
        } else if (KEY_IS("item")) {
            if (have_item) return DOUBT;
            Py_ssize_t k;
            const char *vs;
            Py_ssize_t vn;
            int ascii;
            if (raw_string(c, &vs, &vn, &ascii) != OK) return DOUBT;
            for (k = 0; k < sc->n_items; k++)
                if (word_is(&sc->items[k].name, vs, vn)) break;
            if (k == sc->n_items) return DOUBT;
            *item = k;
            have_item = 1;
        } else if (KEY_IS("applicant")) {
            if (sl->v[C_AID] || sl->v[C_KIND] || sl->v[C_IN_ZONE]) return DOUBT;
            TRY(applicant(c, sc, sl));
        } else if (KEY_IS("event_date")) {
            if (sl->v[C_EVENT]) return DOUBT;
            TRY(date_ordinal(c, &sl->v[C_EVENT]));
        } else if (KEY_IS("facts")) {
            if (have_facts) return DOUBT;
            have_facts = 1;
            if (have_item) {
                TRY(facts(c, &sc->items[*item], sl));
            } else { /* the item comes later: find where the facts end, read them then */
                skip_ws(c);
                facts_at = c->p;
                TRY(skip_value(c));
                facts_end = c->p;
            }
        } else {
            return DOUBT;
        }
        TRY(object_next(c, &done));
    }
    skip_ws(c);
    if (c->p != c->end) return DOUBT; /* something after the object */
    if (!have_item || !have_facts || !sl->v[C_ID] || !sl->v[C_AID] || !sl->v[C_EVENT]) return DOUBT;
    if (facts_at) {
        Cur fc = {facts_at, facts_end};
        TRY(facts(&fc, &sc->items[*item], sl));
        skip_ws(&fc);
        if (fc.p != facts_end) return DOUBT;
    }
    sl->n = C_FIXED + sc->items[*item].n_facts;
    return OK;
}

/* ------------------------------------------------------------------------------------------ */
/* read_block(schema, blob) -> (n, ids, doubtful, doubtful_lines, groups)
 *   n: how many non-blank lines (a line of only bytes.strip's blanks is skipped);
 *   ids: for each of them, its claim id, or None where the line is doubtful;
 *   doubtful, doubtful_lines: the positions and bytes of the lines for the careful reader;
 *   groups: (item index, positions, columns) for each item met, in the order first met.       */

typedef struct {
    PyObject *rows;
    PyObject *cols; /* list of lists */
} Group;

static int is_blank(const char *s, const char *e) {
    for (; s < e; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\x0b' && *s != '\x0c') return 0;
    return 1;
}

static PyObject *read_block(PyObject *self, PyObject *args) {
    PyObject *capsule;
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "Oy*", &capsule, &buf)) return NULL;
    Schema *sc = PyCapsule_GetPointer(capsule, SCHEMA_NAME);
    if (!sc) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    PyObject *ids = PyList_New(0), *doubtful = PyList_New(0), *lines = PyList_New(0), *order = PyList_New(0);
    Group *groups = PyMem_Calloc(sc->n_items ? sc->n_items : 1, sizeof(Group));
    PyObject *result = NULL;
    Slots sl;
    memset(&sl, 0, sizeof sl);
    sl.cap = C_FIXED + sc->max_facts;
    sl.v = PyMem_Calloc(sl.cap, sizeof(PyObject *));
    if (!ids || !doubtful || !lines || !order || !groups || !sl.v) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    const char *p = buf.buf, *end = p + buf.len;
    Py_ssize_t n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', end - p);
        const char *e = nl ? nl : end;
        if (!is_blank(p, e)) {
            Py_ssize_t pos = n++;
            Cur c = {p, e};
            Py_ssize_t item = -1;
            int r = claim(&c, sc, &sl, &item);
            if (r == ERR) goto done;
            if (r == OK) {
                Group *g = &groups[item];
                if (!g->rows) {
                    Py_ssize_t width = C_FIXED + sc->items[item].n_facts;
                    g->rows = PyList_New(0);
                    g->cols = PyList_New(width);
                    if (!g->rows || !g->cols) goto done;
                    for (Py_ssize_t k = 0; k < width; k++) {
                        PyObject *col = PyList_New(0);
                        if (!col) goto done;
                        PyList_SET_ITEM(g->cols, k, col);
                    }
                    PyObject *ix = PyLong_FromSsize_t(item);
                    if (!ix || PyList_Append(order, ix) < 0) {
                        Py_XDECREF(ix);
                        goto done;
                    }
                    Py_DECREF(ix);
                }
                PyObject *at = PyLong_FromSsize_t(pos);
                if (!at || PyList_Append(g->rows, at) < 0) {
                    Py_XDECREF(at);
                    goto done;
                }
                Py_DECREF(at);
                if (PyList_Append(ids, sl.v[C_ID]) < 0) goto done;
                for (Py_ssize_t k = 0; k < sl.n; k++)
                    if (PyList_Append(PyList_GET_ITEM(g->cols, k), sl.v[k]) < 0) goto done;
            } else {
                PyObject *at = PyLong_FromSsize_t(pos);
                PyObject *line = PyBytes_FromStringAndSize(p, e - p);
                int bad = !at || !line || PyList_Append(doubtful, at) < 0 || PyList_Append(lines, line) < 0 ||
                          PyList_Append(ids, Py_None) < 0;
                Py_XDECREF(at);
                Py_XDECREF(line);
                if (bad) goto done;
            }
            slots_clear(&sl);
        }
        if (!nl) break;
        p = nl + 1;
    }
    PyObject *glist = PyList_New(PyList_GET_SIZE(order));
    if (!glist) goto done;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(order); k++) {
        Py_ssize_t item = PyLong_AsSsize_t(PyList_GET_ITEM(order, k));
        PyObject *t = PyTuple_Pack(3, PyList_GET_ITEM(order, k), groups[item].rows, groups[item].cols);
        if (!t) {
            Py_DECREF(glist);
            goto done;
        }
        PyList_SET_ITEM(glist, k, t);
    }
    result = Py_BuildValue("(nOOOO)", n, ids, doubtful, lines, glist);
    Py_DECREF(glist);
done:
    if (sl.v) slots_clear(&sl);
    PyMem_Free(sl.v);
    if (groups) {
        for (Py_ssize_t k = 0; k < sc->n_items; k++) {
            Py_XDECREF(groups[k].rows);
            Py_XDECREF(groups[k].cols);
        }
        PyMem_Free(groups);
    }
    Py_XDECREF(ids);
    Py_XDECREF(doubtful);
    Py_XDECREF(lines);
    Py_XDECREF(order);
    PyBuffer_Release(&buf);
    return result;
}

/* hold_freed_memory(mmap_threshold, trim_threshold) -> bool: glibc's malloc asked to serve
 * buffers up to mmap_threshold bytes from its heap, and to keep up to trim_threshold bytes freed
 * at the heap's top, instead of mapping fresh pages from the kernel for each large buffer and
 * handing them back when it is freed (each page then faults in again, zeroed). False where the
 * C library is not glibc or refuses the values. */
static PyObject *hold_freed_memory(PyObject *self, PyObject *args) {
    int mmap_threshold, trim_threshold;
    if (!PyArg_ParseTuple(args, "ii", &mmap_threshold, &trim_threshold)) return NULL;
#ifdef __GLIBC__
    int ok = mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1;
    ok = mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1 && ok;
    return PyBool_FromLong(ok);
#else
    Py_RETURN_FALSE;
#endif
}

static int int64_buffer(PyObject *obj, Py_buffer *buf) {
    if (PyObject_GetBuffer(obj, buf, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    const char *f = buf->format ? buf->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    if (buf->ndim != 1 || buf->itemsize != 8 || (strcmp(f, "l") != 0 && strcmp(f, "q") != 0)) {
        PyBuffer_Release(buf);
        PyErr_SetString(PyExc_TypeError, "expected a one-dimensional array of int64");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* render(out, positions, ids, shapes, templates, fen) -> bool
 *   Each decision line '{"id":"' + id + head + amount + tail, put into out[positions[k]] (out a
 *   list by position, or a dict from position to line): head and
 *   tail are templates[shapes[k]] (bytes, bytes), the amount fen[k] as yuan with two decimals.
 *   positions, shapes and fen are int64 arrays, ids a list of str. False (and some lines perhaps
 *   already put) when an id would need escaping in JSON: the caller then renders them all. */

static PyObject *render(PyObject *self, PyObject *args) {
    PyObject *out, *ids, *templates, *positions_obj, *shapes_obj, *fen_obj;
    if (!PyArg_ParseTuple(args, "OOO!OO!O", &out, &positions_obj, &PyList_Type, &ids, &shapes_obj, &PyDict_Type,
                          &templates, &fen_obj))
        return NULL;
    int to_dict = PyDict_Check(out);
    if (!to_dict && !PyList_Check(out)) {
        PyErr_SetString(PyExc_TypeError, "out must be a list (by position) or a dict (position -> line)");
        return NULL;
    }
    Py_buffer pb, sb, fb;
    if (int64_buffer(positions_obj, &pb) < 0) return NULL;
    if (int64_buffer(shapes_obj, &sb) < 0) {
        PyBuffer_Release(&pb);
        return NULL;
    }
    if (int64_buffer(fen_obj, &fb) < 0) {
        PyBuffer_Release(&pb);
        PyBuffer_Release(&sb);
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n = PyList_GET_SIZE(ids);
    if (pb.len / 8 != n || sb.len / 8 != n || fb.len / 8 != n) {
        PyErr_SetString(PyExc_ValueError, "positions, ids, shapes and fen differ in length");
        goto done;
    }
    const int64_t *positions = pb.buf, *shapes = sb.buf, *fen = fb.buf;
    Py_ssize_t size = to_dict ? PY_SSIZE_T_MAX : PyList_GET_SIZE(out);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *id = PyList_GET_ITEM(ids, k);
        if (!PyUnicode_Check(id)) {
            result = Py_NewRef(Py_False);
            goto done;
        }
        Py_ssize_t id_len;
        const char *id_s;
        if (PyUnicode_IS_ASCII(id)) {
            id_s = (const char *)PyUnicode_DATA(id);
            id_len = PyUnicode_GET_LENGTH(id);
        } else {
            id_s = PyUnicode_AsUTF8AndSize(id, &id_len);
            if (!id_s) { /* a lone surrogate: not this way */
                PyErr_Clear();
                result = Py_NewRef(Py_False);
                goto done;
            }
        }
        for (Py_ssize_t i = 0; i < id_len; i++) {
            unsigned char b = (unsigned char)id_s[i];
            if (b < 0x20 || b == '"' || b == '\\') {
                result = Py_NewRef(Py_False);
                goto done;
            }
        }
        PyObject *code = PyLong_FromLongLong(shapes[k]);
        if (!code) goto done;
        PyObject *tpl = PyDict_GetItemWithError(templates, code);
        Py_DECREF(code);
        if (!tpl) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "no template for a shape");
            goto done;
        }
        if (!PyTuple_Check(tpl) || PyTuple_GET_SIZE(tpl) != 2 || !PyBytes_Check(PyTuple_GET_ITEM(tpl, 0)) ||
            !PyBytes_Check(PyTuple_GET_ITEM(tpl, 1))) {
            PyErr_SetString(PyExc_TypeError, "a template is (bytes, bytes)");
            goto done;
        }
        PyObject *head = PyTuple_GET_ITEM(tpl, 0), *tail = PyTuple_GET_ITEM(tpl, 1);
        /* the amount as Python's b"%d.%02d" % (fen // 100, fen % 100) writes it */
        long long q = fen[k] / 100, r = fen[k] % 100;
        if (r < 0) {
            r += 100;
            q -= 1;
        }
        char amount[32];
        int amount_len = snprintf(amount, sizeof amount, "%lld.%02lld", q, r);
        Py_ssize_t head_len = PyBytes_GET_SIZE(head), tail_len = PyBytes_GET_SIZE(tail);
        PyObject *line = PyBytes_FromStringAndSize(NULL, 7 + id_len + head_len + amount_len + tail_len);
        if (!line) goto done;
        char *w = PyBytes_AS_STRING(line);
        memcpy(w, "{\"id\":\"", 7);
        w += 7;
        memcpy(w, id_s, id_len);
        w += id_len;
        memcpy(w, PyBytes_AS_STRING(head), head_len);
        w += head_len;
        memcpy(w, amount, amount_len);
        w += amount_len;
        memcpy(w, PyBytes_AS_STRING(tail), tail_len);
        Py_ssize_t at = (Py_ssize_t)positions[k];
        if (at < 0 || at >= size) {
            Py_DECREF(line);
            PyErr_SetString(PyExc_IndexError, "a position outside the block");
            goto done;
        }
        if (to_dict) {
            PyObject *key = PyLong_FromSsize_t(at);
            int e = key ? PyDict_SetItem(out, key, line) : -1;
            Py_XDECREF(key);
            Py_DECREF(line);
            if (e < 0) goto done;
        } else {
            PyList_SetItem(out, at, line); /* steals the line, drops what was there */
        }
    }
    result = Py_NewRef(Py_True);
done:
    PyBuffer_Release(&pb);
    PyBuffer_Release(&sb);
    PyBuffer_Release(&fb);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* HashIndex: the 64-bit hashes of the claim ids a stream has met, each with the number of its id
 * (claim_ids.ClaimIds keeps the ids' bytes by number and settles equal hashes by comparing them).
 * Open addressing with linear probing, at most half full; several ids may share a hash.       */

typedef struct {
    PyObject_HEAD
    uint64_t *keys;
    uint32_t *numbers; /* UINT32_MAX: an empty slot */
    Py_ssize_t cap;    /* a power of two */
    int shift;         /* 64 - log2(cap) */
    Py_ssize_t n;
} HashIndex;

#define EMPTY UINT32_MAX

static inline Py_ssize_t slot_of(const HashIndex *ix, uint64_t h) {
    return (Py_ssize_t)((h * 0x9E3779B97F4A7C15ULL) >> ix->shift);
}

static int index_alloc(HashIndex *ix, Py_ssize_t cap) {
    uint64_t *keys = PyMem_Malloc(cap * sizeof(uint64_t));
    uint32_t *numbers = PyMem_Malloc(cap * sizeof(uint32_t));
    if (!keys || !numbers) {
        PyMem_Free(keys);
        PyMem_Free(numbers);
        PyErr_NoMemory();
        return -1;
    }
    memset(numbers, 0xff, cap * sizeof(uint32_t));
    ix->keys = keys;
    ix->numbers = numbers;
    ix->cap = cap;
    int log2 = 0;
    while (((Py_ssize_t)1 << log2) < cap) log2++;
    ix->shift = 64 - log2;
    return 0;
}

static inline void index_put(HashIndex *ix, uint64_t h, uint32_t number) {
    Py_ssize_t mask = ix->cap - 1, i = slot_of(ix, h);
    while (ix->numbers[i] != EMPTY) i = (i + 1) & mask;
    ix->keys[i] = h;
    ix->numbers[i] = number;
}

static int index_grow(HashIndex *ix, Py_ssize_t need) {
    Py_ssize_t cap = ix->cap;
    while (2 * need > cap) cap *= 2;
    if (cap == ix->cap) return 0;
    uint64_t *old_keys = ix->keys;
    uint32_t *old_numbers = ix->numbers;
    Py_ssize_t old_cap = ix->cap;
    if (index_alloc(ix, cap) < 0) {
        ix->keys = old_keys;
        ix->numbers = old_numbers;
        return -1;
    }
    for (Py_ssize_t i = 0; i < old_cap; i++)
        if (old_numbers[i] != EMPTY) index_put(ix, old_keys[i], old_numbers[i]);
    PyMem_Free(old_keys);
    PyMem_Free(old_numbers);
    return 0;
}

static PyObject *index_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    HashIndex *ix = (HashIndex *)type->tp_alloc(type, 0);
    if (!ix) return NULL;
    if (index_alloc(ix, 1024) < 0) {
        Py_DECREF(ix);
        return NULL;
    }
    return (PyObject *)ix;
}

static void index_dealloc(HashIndex *ix) {
    PyMem_Free(ix->keys);
    PyMem_Free(ix->numbers);
    Py_TYPE(ix)->tp_free((PyObject *)ix);
}

/* candidates(hashes) -> [(position, number), ...]: every stored id whose hash equals one asked. */
static PyObject *index_candidates(HashIndex *ix, PyObject *arg) {
    Py_buffer buf;
    if (int64_buffer(arg, &buf) < 0) return NULL;
    const uint64_t *h = buf.buf;
    Py_ssize_t m = buf.len / 8, mask = ix->cap - 1;
    PyObject *out = PyList_New(0);
    if (!out) goto done;
    for (Py_ssize_t k = 0; k < m; k++) {
        for (Py_ssize_t i = slot_of(ix, h[k]); ix->numbers[i] != EMPTY; i = (i + 1) & mask) {
            if (ix->keys[i] != h[k]) continue;
            PyObject *pair = Py_BuildValue("(nI)", k, (unsigned int)ix->numbers[i]);
            if (!pair || PyList_Append(out, pair) < 0) {
                Py_XDECREF(pair);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(pair);
        }
    }
done:
    PyBuffer_Release(&buf);
    return out;
}

/* insert(hashes, first): the hashes stored, the k-th as id number first + k. */
static PyObject *index_insert(HashIndex *ix, PyObject *args) {
    PyObject *arg;
    Py_ssize_t first;
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "On", &arg, &first)) return NULL;
    if (int64_buffer(arg, &buf) < 0) return NULL;
    const uint64_t *h = buf.buf;
    Py_ssize_t m = buf.len / 8;
    if (first < 0 || first + m >= (Py_ssize_t)EMPTY) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_OverflowError, "more than 4,294,967,294 claim ids in one stream");
        return NULL;
    }
    if (index_grow(ix, ix->n + m) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < m; k++) index_put(ix, h[k], (uint32_t)(first + k));
    ix->n += m;
    PyBuffer_Release(&buf);
    Py_RETURN_NONE;
}

static Py_ssize_t index_len(HashIndex *ix) { return ix->n; }

static PyObject *index_nbytes(HashIndex *ix, void *closure) {
    return PyLong_FromSsize_t(ix->cap * (Py_ssize_t)(sizeof(uint64_t) + sizeof(uint32_t)));
}

static PyMethodDef index_methods[] = {
    {"candidates", (PyCFunction)index_candidates, METH_O,
     "candidates(hashes) -> [(position, number)]: the stored ids whose hash equals one of these"},
    {"insert", (PyCFunction)index_insert, METH_VARARGS, "insert(hashes, first): store the hashes as ids first, first+1, ..."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef index_getset[] = {
    {"nbytes", (getter)index_nbytes, NULL, "bytes held by the table", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods index_sequence = {.sq_length = (lenfunc)index_len};

static PyTypeObject HashIndexType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "ipfund.engine._columns.HashIndex",
    .tp_basicsize = sizeof(HashIndex),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The hashes of the claim ids met, each with its id's number.",
    .tp_new = index_new,
    .tp_dealloc = (destructor)index_dealloc,
    .tp_methods = index_methods,
    .tp_getset = index_getset,
    .tp_as_sequence = &index_sequence,
};

static PyMethodDef methods[] = {
    {"compile_schema", compile_schema, METH_VARARGS, "compile_schema(items, kinds) -> schema"},
    {"hold_freed_memory", hold_freed_memory, METH_VARARGS,
     "hold_freed_memory(mmap_threshold, trim_threshold) -> bool"},
    {"render", render, METH_VARARGS, "render(out, positions, ids, shapes, templates, fen) -> bool"},
    {"read_block", read_block, METH_VARARGS,
     "read_block(schema, blob) -> (n, ids, doubtful, doubtful_lines, groups)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_columns",
                                    "A block of JSON lines read straight into columns (bulk evaluation).", -1,
                                    methods};

PyMODINIT_FUNC PyInit__columns(void) {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) return NULL;
    if (PyType_Ready(&HashIndexType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "HashIndex", (PyObject *)&HashIndexType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "T_YEAR", T_YEAR) < 0 || PyModule_AddIntConstant(m, "T_MONEY_FEN", T_MONEY_FEN) < 0 ||
        PyModule_AddIntConstant(m, "T_BOOL", T_BOOL) < 0 || PyModule_AddIntConstant(m, "T_TEXT", T_TEXT) < 0 ||
        PyModule_AddIntConstant(m, "T_DATE_ORD", T_DATE_ORD) < 0 ||
        PyModule_AddIntConstant(m, "T_NUMBER", T_NUMBER) < 0 ||
        PyModule_AddIntConstant(m, "T_CODE_LIST", T_CODE_LIST) < 0 ||
        PyModule_AddIntConstant(m, "T_ENUM", T_ENUM) < 0 ||
        PyModule_AddIntConstant(m, "T_MONEY_RAW", T_MONEY_RAW) < 0 ||
        PyModule_AddIntConstant(m, "T_DATE_RAW", T_DATE_RAW) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_SHA256", IPFUND_COLUMNS_SHA256) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
