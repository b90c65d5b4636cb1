/*
 * The C test harness of ghpkg: emulator processes, checks and helpers.
 *
 * Tests run against real emulator processes over HTTP on 127.0.0.1: the
 * `ghpkg-emulator` binary (found through the GHPKG_EMULATOR environment
 * variable) serving the demo dataset, a fixture file, or the demo dataset
 * with scripted faults (`--fault`).
 */
#ifndef GHPKG_TEST_HARNESS_H
#define GHPKG_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ghpkg.h"

/* Tokens of the demo dataset (emulator/src/demo.rs). */
#define READ_ONLY_TOKEN "ghp_p346YDhSYt5Mv7O5AOvZN3FAsOOwOSnUTfJL"
#define HUBOT_TOKEN "ghp_eQN46QlAT4ZNyEXjCO37CmMQd2WrNUyFY3TX"
#define FINE_GRAINED_TOKEN \
    "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"
#define ACTIONS_TOKEN "ghs_fMG43VaACyEWxBJnTVnXTxRK2VYcJHoI4tKO"

/* A running emulator process and what it printed. */
typedef struct emulator {
    pid_t pid;
    char url[128];
    char token[128];
    char registry_url[128]; /* the container registry origin */
} emulator;

/* Starts `binary` with `args` (NULL-terminated, may be NULL) and reads its
 * `{"url": ..., "token": ..., "registry_url": ...}` line. Exits the test run on failure. */
void emu_start(emulator *emu, const char *binary, const char *const *args);
void emu_stop(emulator *emu);

/* The shared state of a test run. */
typedef struct suite {
    emulator demo;    /* ghpkg-emulator, demo dataset: reads and mutations */
    emulator faults;  /* ghpkg-emulator --fault ... with the rules in test_main.c */
    emulator limited; /* ghpkg-emulator with tests/fixtures/limited.json */
    bool quick;       /* GHPKG_TEST_QUICK=1: lighter loops (valgrind) */
} suite;

extern int checks_failed;
extern int checks_run;

void check_fail(const char *file, int line, const char *fmt, ...);

/* Records a check; on failure prints the location and the message. */
#define CHECK(cond, ...)                                          \
    do {                                                          \
        checks_run++;                                             \
        if (!(cond)) check_fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)

/* Runs a ghpkg call that fills `err`, checks its status, frees the error. */
#define CHECK_STATUS(expected, call)                                                     \
    do {                                                                                 \
        ghpkg_error *err_ = NULL;                                                        \
        ghpkg_error **err = &err_;                                                       \
        ghpkg_status got_ = (call);                                                      \
        checks_run++;                                                                    \
        if (got_ != (ghpkg_status)(expected))                                            \
            check_fail(__FILE__, __LINE__, "%s: expected %s, got %s (%s)", #call,        \
                       ghpkg_status_code(expected), ghpkg_status_code(got_),             \
                       err_ ? ghpkg_error_describe(err_) : "no error details");          \
        else if (got_ != GHPKG_OK && err_ == NULL)                                       \
            check_fail(__FILE__, __LINE__, "%s: no ghpkg_error for a failure", #call);   \
        else if (got_ == GHPKG_OK && err_ != NULL)                                       \
            check_fail(__FILE__, __LINE__, "%s: ghpkg_error written on success", #call); \
        ghpkg_error_free(err_);                                                          \
        (void)err;                                                                       \
    } while (0)

bool str_eq(const char *a, const char *b);
bool str_contains(const char *haystack, const char *needle);

/* Options aimed at `emu` with fast retries; `token` may be NULL. */
ghpkg_client_options test_options(const emulator *emu, const char *token);
/* A client for `emu` with `token` (NULL: the emulator's token). */
ghpkg_client *test_client(const emulator *emu, const char *token);

/* Drains a package listing, counting items; returns the final status
 * and frees the iterator. */
ghpkg_status drain_packages(ghpkg_package_listing *it, size_t *count, ghpkg_error **err);

/* The suites. */
void test_status_table(suite *s);
void test_arguments(suite *s);
void test_operations(suite *s);
void test_catalog(suite *s);
void test_errors(suite *s);
void test_hostile_names(suite *s);
void test_threads(suite *s);
void test_async(suite *s);
void test_retention(suite *s);

#endif
