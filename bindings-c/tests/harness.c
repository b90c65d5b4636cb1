/* The C test harness of ghpkg: emulator processes, checks and helpers. */
#define _GNU_SOURCE
#include "harness.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int checks_failed = 0;
int checks_run = 0;

void check_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    checks_failed++;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool str_eq(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

bool str_contains(const char *haystack, const char *needle) {
    return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

/* Copies the string value of "key" in a one-line JSON object; "" for null. */
static void json_field(const char *line, const char *key, char *out, size_t cap) {
    char pattern[64];
    const char *p;
    size_t n = 0;
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    out[0] = '\0';
    p = strstr(line, pattern);
    if (p == NULL) return;
    p += strlen(pattern);
    while (*p == ' ') p++;
    if (*p != '"') return;
    p++;
    while (*p != '\0' && *p != '"' && n + 1 < cap) out[n++] = *p++;
    out[n] = '\0';
}

void emu_start(emulator *emu, const char *binary, const char *const *args) {
    int fds[2];
    char line[512];
    size_t len = 0;
    const char *argv[64];
    size_t argc = 0;
    pid_t parent = getpid();

    if (binary == NULL || binary[0] == '\0') {
        fprintf(stderr, "emulator binary not set (GHPKG_EMULATOR)\n");
        exit(2);
    }
    argv[argc++] = binary;
    while (args != NULL && *args != NULL) {
        if (argc + 1 >= sizeof argv / sizeof argv[0]) {
            fprintf(stderr, "too many emulator arguments\n");
            exit(2);
        }
        argv[argc++] = *args++;
    }
    argv[argc] = NULL;

    if (pipe(fds) != 0) {
        perror("pipe");
        exit(2);
    }
    fflush(NULL);
    emu->pid = fork();
    if (emu->pid < 0) {
        perror("fork");
        exit(2);
    }
    if (emu->pid == 0) {
        /* The emulator serves until killed: make sure it dies with us. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(binary, (char *const *)argv);
        perror("execv");
        _exit(127);
    }
    close(fds[1]);
    while (len + 1 < sizeof line) {
        char c;
        ssize_t r = read(fds[0], &c, 1);
        if (r <= 0 || c == '\n') break;
        line[len++] = c;
    }
    line[len] = '\0';
    close(fds[0]);
    json_field(line, "url", emu->url, sizeof emu->url);
    json_field(line, "token", emu->token, sizeof emu->token);
    json_field(line, "registry_url", emu->registry_url, sizeof emu->registry_url);
    if (emu->url[0] == '\0') {
        fprintf(stderr, "%s did not print its URL (got: %s)\n", binary, line);
        emu_stop(emu);
        exit(2);
    }
}

void emu_stop(emulator *emu) {
    if (emu->pid > 0) {
        kill(emu->pid, SIGTERM);
        waitpid(emu->pid, NULL, 0);
        emu->pid = 0;
    }
}

ghpkg_client_options test_options(const emulator *emu, const char *token) {
    ghpkg_client_options o = ghpkg_client_options_default();
    o.use_env = false; /* what the test sets is all the client sees */
    o.base_url = emu->url;
    o.token = token != NULL ? token : emu->token;
    o.retry_backoff_ms = 1;
    o.max_retries = 1;
    o.timeout_ms = 20000;
    return o;
}

ghpkg_client *test_client(const emulator *emu, const char *token) {
    ghpkg_client_options o = test_options(emu, token);
    ghpkg_client *client = NULL;
    ghpkg_error *err = NULL;
    if (ghpkg_client_new(&o, &client, &err) != GHPKG_OK) {
        fprintf(stderr, "cannot build a client: %s\n", ghpkg_error_describe(err));
        ghpkg_error_free(err);
        exit(2);
    }
    return client;
}

ghpkg_status drain_packages(ghpkg_package_listing *it, size_t *count, ghpkg_error **err) {
    ghpkg_status st = GHPKG_OK;
    *count = 0;
    for (;;) {
        ghpkg_package *pkg = NULL;
        st = ghpkg_package_listing_next(it, &pkg, err);
        if (st != GHPKG_OK || pkg == NULL) break;
        (*count)++;
        ghpkg_package_free(pkg);
    }
    ghpkg_package_listing_free(it);
    return st;
}
