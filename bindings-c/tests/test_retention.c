/* Retention through the C ABI, against emulator processes of its own (runs
 * delete and restore, so they do not share the demo emulator): the golden
 * plans replayed byte for byte, plan / apply with events / verify / undo on
 * acme's multi-arch api/server, stop and resume, recover, and bad input. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ORG GHPKG_OWNER_ORG
#define CONTAINER GHPKG_PACKAGE_TYPE_CONTAINER

/* Old releases of api/server and the broken leftovers a registry collects:
 * 7 versions go, every kept image stays whole. */
static const char OLD_RELEASES[] =
    "{\"owner\": {\"org\": \"acme\"}, \"package_type\": \"container\","
    " \"packages\": {\"include\": [\"api/server\"]},"
    " \"delete\": [{\"id\": \"old\", \"tags\": [\"1.1.0\", \"1.0.0\"]}, {\"index\": \"ghost\"},"
    " {\"index\": \"partial\"}, {\"orphaned_referrer\": true}]}";

static size_t count_of(const char *haystack, const char *needle) {
    size_t n = 0;
    const char *p = haystack;
    while (p != NULL && (p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* A copy of `s` with every `from` replaced by `to`; the caller frees it. */
static char *replace_all(const char *s, const char *from, const char *to) {
    size_t n = count_of(s, from), flen = strlen(from), tlen = strlen(to);
    char *out = malloc(strlen(s) + n * (tlen > flen ? tlen - flen : 0) + 1);
    char *w = out;
    const char *p;
    if (out == NULL) return NULL;
    while ((p = strstr(s, from)) != NULL && flen > 0) {
        memcpy(w, s, (size_t)(p - s));
        w += p - s;
        memcpy(w, to, tlen);
        w += tlen;
        s = p + flen;
    }
    strcpy(w, s);
    return out;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    if (buf != NULL && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL) buf[len] = '\0';
    fclose(f);
    return buf;
}

/* The JSON value after `"key":` in `json`, from its first character to
 * its end: a string (quotes included) or a balanced object. */
static char *json_value(const char *json, const char *key) {
    char pattern[64];
    const char *start, *p;
    int depth = 0;
    char *out;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    start = strstr(json, pattern);
    if (start == NULL) return NULL;
    start += strlen(pattern);
    while (*start == ' ' || *start == '\n') start++;
    p = start;
    if (*p == '"') {
        for (p++; *p != '\0' && *p != '"'; p++)
            if (*p == '\\' && p[1] != '\0') p++;
        p++;
    } else {
        for (; *p != '\0'; p++) {
            if (*p == '"') {
                for (p++; *p != '\0' && *p != '"'; p++)
                    if (*p == '\\' && p[1] != '\0') p++;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                if (--depth == 0) {
                    p++;
                    break;
                }
            }
        }
    }
    out = malloc((size_t)(p - start) + 1);
    if (out == NULL) return NULL;
    memcpy(out, start, (size_t)(p - start));
    out[p - start] = '\0';
    return out;
}

/* Plan options for `emu`: its registry, and `now` (a JSON string or NULL). */
static void plan_options(char *buf, size_t cap, const emulator *emu, const char *now) {
    if (now != NULL)
        snprintf(buf, cap, "{\"now\": %s, \"registry_url\": \"%s\"}", now, emu->registry_url);
    else
        snprintf(buf, cap, "{\"registry_url\": \"%s\"}", emu->registry_url);
}

/* The golden plans of tests/goldens/: each case planned on a fresh demo
 * emulator gives exactly the committed bytes, after replacing the two
 * emulator origins and the plan id. */
static void goldens(suite *s) {
    const char *dir = getenv("GHPKG_GOLDENS");
    char path[1024], options[512];
    char *cases, *cursor;
    size_t replayed = 0;
    snprintf(path, sizeof path, "%s/cases.json", dir != NULL ? dir : "tests/goldens");
    cases = read_file(path);
    CHECK(cases != NULL, "cannot read %s", path);
    if (cases == NULL) return;
    (void)s;
    for (cursor = strstr(cases, "\"name\":"); cursor != NULL; cursor = strstr(cursor + 1, "\"name\":")) {
        char *name = json_value(cursor, "name"), *now = json_value(cursor, "now");
        char *policy = json_value(cursor, "policy");
        char *plan = NULL, *id, *a, *b, *c, *want;
        emulator emu;
        ghpkg_client *client;
        emu_start(&emu, getenv("GHPKG_EMULATOR"), NULL);
        client = test_client(&emu, NULL);
        plan_options(options, sizeof options, &emu, now);
        CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan(client, policy, options, &plan, err));
        if (plan != NULL) {
            id = json_value(plan, "id");
            id[strlen(id) - 1] = '\0'; /* the quotes go */
            a = replace_all(plan, emu.url, "http://api.invalid");
            b = replace_all(a, emu.registry_url, "http://registry.invalid");
            c = replace_all(b, id + 1, "pln_0000000000000000");
            snprintf(path, sizeof path, "%s/%.*s.plan.json", dir != NULL ? dir : "tests/goldens",
                     (int)strlen(name) - 2, name + 1);
            want = read_file(path);
            /* The golden is the plan JSON plus a newline. */
            CHECK(want != NULL && strlen(want) == strlen(c) + 1 && strncmp(want, c, strlen(c)) == 0,
                  "%s differs from its golden", path);
            replayed++;
            free(want);
            free(a);
            free(b);
            free(c);
            free(id);
        }
        ghpkg_string_free(plan);
        ghpkg_client_free(client);
        emu_stop(&emu);
        free(name);
        free(now);
        free(policy);
    }
    CHECK(replayed >= 5, "%zu golden plans replayed", replayed);
    free(cases);
}

/* What a run's events showed. */
typedef struct run_log {
    size_t progress, outcomes, deleted;
    size_t stop_after; /* ghpkg_apply_events_stop after this many deletions; 0: never */
} run_log;

/* Applies a reviewed plan, reading its events as they come; on success
 * `*report` is the run's report (the last event), freed with ghpkg_string_free. */
static ghpkg_status apply_plan(ghpkg_client *client, const char *plan, const char *options, run_log *log,
                               char **report, ghpkg_error **err) {
    ghpkg_apply_events *events = NULL;
    char *event = NULL;
    ghpkg_status st = ghpkg_retention_apply(client, plan, options, &events, err);
    *report = NULL;
    /* event is NULL once the run has ended; its last event is the report. */
    while (st == GHPKG_OK && (st = ghpkg_apply_events_next(events, &event, err)) == GHPKG_OK &&
           event != NULL) {
        if (strstr(event, "\"type\":\"report\"") != NULL) {
            ghpkg_string_free(*report);
            *report = event;
            continue;
        }
        if (strstr(event, "\"type\":\"progress\"") != NULL) log->progress++;
        if (strstr(event, "\"type\":\"outcome\"") != NULL) log->outcomes++;
        if (strstr(event, "\"outcome\":\"deleted\"") != NULL) {
            log->deleted++;
            /* The run ends between deletes; its journal resumes it. */
            if (log->deleted == log->stop_after) ghpkg_apply_events_stop(events);
        }
        ghpkg_string_free(event);
    }
    ghpkg_apply_events_free(events); /* accepts NULL */
    return st;
}

/* The ids of api/server's deleted versions, as a "|id|id|...|" string. */
static void deleted_ids(ghpkg_client *c, char *out, size_t cap) {
    ghpkg_version_listing *it = NULL;
    ghpkg_version *v = NULL;
    size_t len = 1;
    strcpy(out, "|");
    CHECK_STATUS(GHPKG_OK, ghpkg_client_list_versions(c, ORG, "acme", CONTAINER, "api/server",
                                                      GHPKG_VERSION_STATE_DELETED, &it, err));
    for (;;) {
        CHECK_STATUS(GHPKG_OK, ghpkg_version_listing_next(it, &v, err));
        if (v == NULL) break;
        len += (size_t)snprintf(out + len, cap > len ? cap - len : 0, "%llu|",
                                (unsigned long long)ghpkg_version_id(v));
        ghpkg_version_free(v);
    }
    ghpkg_version_listing_free(it);
}

/* Freeing the iterator mid-run stops the run between deletes, as a stop
 * does; its journal resumes it. */
static void free_mid_run(const char *dir) {
    char options[512], apply_opts[1024], journal[512], before[1024], now[1024];
    char *plan = NULL, *event = NULL, *report = NULL;
    ghpkg_apply_events *events = NULL;
    run_log log = {0, 0, 0, 0};
    size_t gone;
    emulator emu;
    ghpkg_client *c;

    emu_start(&emu, getenv("GHPKG_EMULATOR"), NULL);
    c = test_client(&emu, NULL);
    deleted_ids(c, before, sizeof before);
    plan_options(options, sizeof options, &emu, NULL);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan(c, OLD_RELEASES, options, &plan, err));
    snprintf(journal, sizeof journal, "%s/freed.jsonl", dir);
    snprintf(apply_opts, sizeof apply_opts, "{\"journal\": \"%s\", \"deletes_per_minute\": 60}", journal);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_apply(c, plan, apply_opts, &events, err));
    while (events != NULL && ghpkg_apply_events_next(events, &event, NULL) == GHPKG_OK && event != NULL) {
        int deleted = strstr(event, "\"outcome\":\"deleted\"") != NULL;
        ghpkg_string_free(event);
        if (deleted) break;
    }
    ghpkg_apply_events_free(events);
    sleep(3); /* a run still going at 60 a minute would delete 3 more meanwhile */
    deleted_ids(c, now, sizeof now);
    gone = count_of(now, "|") - count_of(before, "|");
    CHECK(gone == 1, "%zu deleted after the iterator was freed", gone);
    snprintf(apply_opts, sizeof apply_opts, "{\"journal\": \"%s\"}", journal);
    CHECK_STATUS(GHPKG_OK, apply_plan(c, plan, apply_opts, &log, &report, err));
    CHECK(log.deleted == 7 - gone && str_contains(report, "\"status\":\"complete\""),
          "%zu deleted by the resumed run: %s", log.deleted, report ? report : "-");
    ghpkg_string_free(report);
    ghpkg_string_free(plan);
    ghpkg_client_free(c);
    emu_stop(&emu);
}

static void run_and_undo(suite *s, const char *dir) {
    emulator emu, other;
    ghpkg_client *c, *hubot, *elsewhere;
    char options[512], apply_opts[1024], journal[512], before[1024], after[1024],
        *plan = NULL, *deletions = NULL, *rendered = NULL, *report = NULL, *verify = NULL, *undo = NULL;
    run_log log = {0, 0, 0, 0};
    size_t found = 0, first;
    char since[32], counts[64];
    time_t t = time(NULL) - 60;
    ghpkg_error *e = NULL;

    emu_start(&emu, getenv("GHPKG_EMULATOR"), NULL);
    c = test_client(&emu, NULL);
    deleted_ids(c, before, sizeof before);
    plan_options(options, sizeof options, &emu, NULL);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan(c, OLD_RELEASES, options, &plan, err));
    if (plan == NULL) goto done;
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan_deletions(plan, &deletions, err));
    CHECK(count_of(deletions, "\"package\":\"api/server\"") == 7, "%s", deletions);
    CHECK(str_contains(deletions, "\"version_id\":20015"), "1.1.0's index goes");
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan_render(plan, "table", &rendered, err));
    CHECK(str_contains(rendered, "api/server"), "%s", rendered);
    ghpkg_string_free(rendered);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan_render(plan, "markdown", &rendered, err));
    CHECK(str_contains(rendered, "|"), "a Markdown table");
    ghpkg_string_free(rendered);

    /* Not this plan's place: another user's token, another host. Nothing is deleted. */
    snprintf(journal, sizeof journal, "%s/refused.jsonl", dir);
    snprintf(apply_opts, sizeof apply_opts, "{\"journal\": \"%s\"}", journal);
    hubot = test_client(&emu, HUBOT_TOKEN);
    CHECK(apply_plan(hubot, plan, apply_opts, &log, &report, &e) == GHPKG_INVALID_ARGUMENT,
          "another user's token");
    CHECK(e != NULL && str_contains(ghpkg_error_message(e), "octocat"), "%s",
          e ? ghpkg_error_message(e) : "-");
    ghpkg_error_free(e);
    e = NULL;
    ghpkg_client_free(hubot);
    emu_start(&other, getenv("GHPKG_EMULATOR"), NULL);
    elsewhere = test_client(&other, NULL);
    CHECK(apply_plan(elsewhere, plan, apply_opts, &log, &report, &e) == GHPKG_INVALID_ARGUMENT,
          "another host");
    CHECK(e != NULL && str_contains(ghpkg_error_message(e), "was made against"), "%s",
          e ? ghpkg_error_message(e) : "-");
    ghpkg_error_free(e);
    e = NULL;
    ghpkg_client_free(elsewhere);
    emu_stop(&other);
    CHECK(report == NULL && log.outcomes == 0, "no outcome for a refused run");
    deleted_ids(c, after, sizeof after);
    CHECK(str_eq(before, after), "nothing deleted: %s", after);

    /* Apply, stopped after the first deletion, then resumed from the journal. */
    snprintf(journal, sizeof journal, "%s/apply.jsonl", dir);
    snprintf(apply_opts, sizeof apply_opts, "{\"journal\": \"%s\", \"deletes_per_minute\": 60}", journal);
    log.stop_after = 1;
    CHECK_STATUS(GHPKG_OK, apply_plan(c, plan, apply_opts, &log, &report, err));
    /* A stop that arrives while the run waits for its pace still lets that
     * delete go; the run ends after it. */
    first = log.deleted;
    CHECK(first >= 1 && first < 7, "%zu deleted before the stop", first);
    snprintf(counts, sizeof counts, "\"not_attempted\":%zu", 7 - first);
    CHECK(str_contains(report, "\"status\":\"partial\"") && str_contains(report, counts), "%s",
          report ? report : "-");
    ghpkg_string_free(report);
    memset(&log, 0, sizeof log);
    snprintf(apply_opts, sizeof apply_opts, "{\"journal\": \"%s\"}", journal);
    CHECK_STATUS(GHPKG_OK, apply_plan(c, plan, apply_opts, &log, &report, err));
    CHECK(log.deleted == 7 - first && log.progress > 0, "%zu deleted, %zu progress events", log.deleted,
          log.progress);
    CHECK(str_contains(report, "\"status\":\"complete\""), "%s", report ? report : "-");
    CHECK(str_contains(report, "\"broken\":[]"), "every kept image resolves: %s", report ? report : "-");
    ghpkg_string_free(report);

    /* Verify on demand: every kept tag resolves with all its children. */
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_verify(c, plan, NULL, &verify, err));
    CHECK(str_eq(verify, "{\"checked_tags\":3,\"broken\":[]}"), "%s", verify ? verify : "-");

    /* Recover writes an undo set from GitHub's deleted versions; a dry run counts them. */
    strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    snprintf(journal, sizeof journal, "%s/recovered.jsonl", dir);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_recover(c, ORG, "acme", CONTAINER, "api/server", since, journal,
                                                   &found, err));
    CHECK(found == 7, "%zu recovered", found);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_undo(c, journal, "{\"dry_run\": true}", &undo, err));
    CHECK(str_contains(undo, "\"restorable\":7"), "%s", undo ? undo : "-");
    ghpkg_string_free(undo);
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_retention_recover(c, ORG, "acme", CONTAINER, "api/server",
                                                                 "yesterday", journal, &found, err));

    /* Undo brings back exactly what was deleted. */
    snprintf(journal, sizeof journal, "%s/apply.jsonl", dir);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_undo(c, journal, NULL, &undo, err));
    CHECK(str_contains(undo, "\"status\":\"complete\"") && str_contains(undo, "\"restored\":7"), "%s",
          undo ? undo : "-");
    deleted_ids(c, after, sizeof after);
    CHECK(str_eq(before, after), "the same deleted set as before: %s", after);

done:
    ghpkg_string_free(undo);
    ghpkg_string_free(verify);
    ghpkg_string_free(deletions);
    ghpkg_string_free(plan);
    ghpkg_client_free(c);
    emu_stop(&emu);
    (void)s;
}

static const char UNKNOWN_FIELD[] = "{\"owner\": {\"org\": \"acme\"}, \"package_type\": \"npm\","
                                    " \"delete\": [{\"tags\": [\"x\"]}], \"keep_forever\": true}";
static const char BAD_PATTERN[] = "{\"owner\": {\"org\": \"acme\"}, \"package_type\": \"container\","
                                  " \"delete\": [{\"tags\": [\"re:([\"]}]}";
/* actions/delete-package-versions inputs. */
static const char DPV_INPUTS[] = "{\"owner\": \"acme\", \"package-name\": \"ui-kit\","
                                 " \"package-type\": \"npm\", \"min-versions-to-keep\": \"2\"}";

/* Bad input gets a status and changes nothing; out-params stay untouched. */
static void bad_input(suite *s, const char *dir) {
    ghpkg_client *c = test_client(&s->demo, NULL);
    char *const sentinel = (char *)"untouched";
    char *out = sentinel, *plan = NULL, *edited, *schemas = NULL, *policy = NULL, path[512], options[512];
    ghpkg_apply_events *events = NULL;
    size_t n = 0;
    uint64_t kept = 5000000001ULL;
    const char *names[] = {"api/server"};
    ghpkg_error *e = NULL;
    FILE *f;

    /* NULL pointers and invalid UTF-8. */
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_plan(NULL, OLD_RELEASES, NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_plan(c, NULL, NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_plan(c, OLD_RELEASES, NULL, NULL, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_retention_plan(c, "{\"owner\": \"\xc0\xaf\"}", NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_plan_render(NULL, "json", &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_plan_deletions(NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_apply(c, NULL, "{}", &events, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_apply_events_next(NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_undo(c, NULL, NULL, &out, err));
    CHECK_STATUS(GHPKG_INVALID_UTF8, ghpkg_retention_undo(c, "\x80.jsonl", NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_verify(c, NULL, NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT,
                 ghpkg_retention_recover(c, ORG, "acme", CONTAINER, "x", NULL, "j", &n, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_policy_import("dpv", NULL, &out, err));
    CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_schemas(NULL, err));
    ghpkg_apply_events_stop(NULL);
    ghpkg_apply_events_free(NULL);

    /* A policy with an unknown field or a bad pattern, options with an unknown field. */
    CHECK(ghpkg_retention_plan(c, UNKNOWN_FIELD, NULL, &out, &e) == GHPKG_INVALID_ARGUMENT,
          "an unknown policy field");
    CHECK(e != NULL && str_contains(ghpkg_error_message(e), "keep_forever"), "%s",
          e ? ghpkg_error_message(e) : "-");
    ghpkg_error_free(e);
    e = NULL;
    CHECK(ghpkg_retention_plan(c, BAD_PATTERN, NULL, &out, &e) == GHPKG_INVALID_ARGUMENT, "a bad pattern");
    CHECK(e != NULL && str_contains(ghpkg_error_message(e), "delete[0]"), "%s",
          e ? ghpkg_error_message(e) : "-");
    ghpkg_error_free(e);
    e = NULL;
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT,
                 ghpkg_retention_plan(c, OLD_RELEASES, "{\"registry\": \"x\"}", &out, err));
    CHECK(out == sentinel, "out-params are written only on success");

    /* A plan edited by hand: its policy no longer matches policy_hash. */
    plan_options(options, sizeof options, &s->demo, NULL);
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan(c, OLD_RELEASES, options, &plan, err));
    if (plan != NULL) {
        edited = replace_all(plan, "\"1.0.0\"", "\"0.9.0\"");
        CHECK(!str_eq(edited, plan), "the policy was edited");
        CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_retention_plan_render(edited, "json", &out, err));
        CHECK_STATUS(GHPKG_INVALID_ARGUMENT,
                     ghpkg_retention_apply(c, edited, "{\"journal\": \"x.jsonl\"}", &events, err));
        CHECK(events == NULL, "no run for an edited plan");
        free(edited);
        CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_retention_apply(c, plan, "{}", &events, err));
        CHECK_STATUS(GHPKG_INVALID_ARGUMENT,
                     ghpkg_retention_apply(c, plan, "{\"journal\": \"x\", \"pace\": 1}", &events, err));
        CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_retention_plan_render(plan, "pdf", &out, err));
        CHECK_STATUS(GHPKG_INVALID_ARGUMENT,
                     ghpkg_retention_plan_without_versions(plan, &kept, 1, &out, err));
        CHECK_STATUS(GHPKG_NULL_ARGUMENT, ghpkg_retention_plan_without_versions(plan, NULL, 1, &out, err));
        CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan_without_versions(plan, NULL, 0, &out, err));
        ghpkg_string_free(out);
        CHECK_STATUS(GHPKG_OK, ghpkg_retention_plan_only_packages(plan, names, 1, &out, err));
        ghpkg_string_free(out);
        out = sentinel;
    }
    ghpkg_string_free(plan);
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT,
                 ghpkg_retention_plan_render("{\"plan_version\": 1}", "json", &out, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_retention_plan_render("not json", "json", &out, err));

    /* A journal that is not one. */
    snprintf(path, sizeof path, "%s/not-a-journal.jsonl", dir);
    f = fopen(path, "w");
    if (f != NULL) {
        fputs("{\"hello\": \"world\"}\n", f);
        fclose(f);
    }
    CHECK(ghpkg_retention_undo(c, path, NULL, &out, &e) == GHPKG_INVALID_ARGUMENT, "not a journal");
    CHECK(e != NULL && str_contains(ghpkg_error_message(e), "not a ghpkg journal"), "%s",
          e ? ghpkg_error_message(e) : "-");
    ghpkg_error_free(e);
    e = NULL;
    CHECK(out == sentinel, "out-params are written only on success");

    /* Imports and schemas. */
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_policy_import("dpv", DPV_INPUTS, &policy, err));
    CHECK(str_contains(policy, "\"=ui-kit\""), "%s", policy ? policy : "-");
    ghpkg_string_free(policy);
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT,
                 ghpkg_retention_policy_import("dpv", "{\"colour\": \"red\"}", &out, err));
    CHECK_STATUS(GHPKG_INVALID_ARGUMENT, ghpkg_retention_policy_import("dpv", "[1]", &out, err));
    CHECK_STATUS(GHPKG_OK, ghpkg_retention_schemas(&schemas, err));
    CHECK(str_contains(schemas, "\"event.schema.json\""), "the schemas");
    ghpkg_string_free(schemas);
    ghpkg_client_free(c);
}

void test_retention(suite *s) {
    char dir[] = "/tmp/ghpkg-c-retention-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        CHECK(0, "mkdtemp");
        return;
    }
    bad_input(s, dir);
    goldens(s);
    run_and_undo(s, dir);
    free_mid_run(dir);
    {
        static const char *const files[] = {
            "apply.jsonl",   "apply.jsonl.undo.jsonl", "recovered.jsonl", "recovered.jsonl.undo.jsonl",
            "refused.jsonl", "not-a-journal.jsonl",    "freed.jsonl",     NULL};
        char path[512];
        size_t i;
        for (i = 0; files[i] != NULL; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            unlink(path);
        }
        CHECK(rmdir(dir) == 0, "%s holds only the journals the tests wrote", dir);
    }
}
