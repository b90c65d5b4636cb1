/* Runs every C suite of ghpkg against emulator processes. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int main(void) {
    suite s;
    const char *emulator_bin = getenv("GHPKG_EMULATOR");
    const char *fault_bin = getenv("GHPKG_FAULT_EMULATOR");
    const char *fixtures = getenv("GHPKG_FIXTURES");
    const char *quick = getenv("GHPKG_TEST_QUICK");
    char limited_fixture[1024];
    const char *limited_args[3];
    /* Each rule applies forever to requests whose raw path contains it. */
    static const char *const fault_args[] = {
        "--fault", "status:500@/orgs/acme/packages/npm/ui-kit",
        "--fault", "malformed@/orgs/acme/packages/maven/com.acme.core",
        "--fault", "drop@/orgs/acme/packages/rubygems/acme-tools",
        "--fault", "truncated@/orgs/acme/packages/nuget/Acme.Sdk",
        "--fault", "secondary:42@/orgs/acme/packages/docker/legacy-worker",
        "--fault", "primary@/orgs/acme/packages/npm/single-version",
        "--fault", "latency:5000@/orgs/acme/packages/container/only-tag",
        "--fault", "linkloop@/users/octocat/packages",
        NULL,
    };

    memset(&s, 0, sizeof s);
    s.quick = quick != NULL && strcmp(quick, "1") == 0;
    snprintf(limited_fixture, sizeof limited_fixture, "%s/limited.json",
             fixtures != NULL ? fixtures : "bindings-c/tests/fixtures");
    limited_args[0] = "--fixture";
    limited_args[1] = limited_fixture;
    limited_args[2] = NULL;

    emu_start(&s.demo, emulator_bin, NULL);
    emu_start(&s.faults, fault_bin, fault_args);
    emu_start(&s.limited, emulator_bin, limited_args);
    printf("emulators: demo %s, faults %s, limited %s\n", s.demo.url, s.faults.url,
           s.limited.url);

    test_status_table(&s);
    test_arguments(&s);
    test_operations(&s);
    test_catalog(&s);
    test_errors(&s);
    test_hostile_names(&s);
    test_threads(&s);

    emu_stop(&s.demo);
    emu_stop(&s.faults);
    emu_stop(&s.limited);
    printf("%d checks, %d failed\n", checks_run, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
