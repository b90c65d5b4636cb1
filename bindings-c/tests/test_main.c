/* Runs every C suite of ghpkg against emulator processes. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int main(void) {
    suite s;
    const char *emulator_bin = getenv("GHPKG_EMULATOR");
    const char *fixtures = getenv("GHPKG_FIXTURES");
    const char *quick = getenv("GHPKG_TEST_QUICK");
    char limited_fixture[1024];
    const char *limited_args[3];
    /* ghpkg-emulator --fault KIND[:ARG]@PATH[xCOUNT]: each rule applies
     * forever (x*) to requests whose raw path contains PATH. */
    static const char *const fault_args[] = {
        "--fault", "status:500@/orgs/acme/packages/npm/ui-kitx*",
        "--fault", "malformed_json@/orgs/acme/packages/maven/com.acme.corex*",
        "--fault", "drop_connection@/orgs/acme/packages/rubygems/acme-toolsx*",
        "--fault", "truncated_body@/orgs/acme/packages/nuget/Acme.Sdkx*",
        "--fault", "secondary_rate_limit:42@/orgs/acme/packages/docker/legacy-workerx*",
        "--fault", "primary_rate_limit:3600@/orgs/acme/packages/npm/single-versionx*",
        "--fault", "latency:5000@/orgs/acme/packages/container/only-tagx*",
        "--fault", "link_loop@/users/octocat/packagesx*",
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
    emu_start(&s.faults, emulator_bin, fault_args);
    emu_start(&s.limited, emulator_bin, limited_args);
    printf("emulators: demo %s, faults %s, limited %s\n", s.demo.url, s.faults.url, s.limited.url);

    test_status_table(&s);
    test_arguments(&s);
    test_operations(&s);
    test_catalog(&s);
    test_errors(&s);
    test_hostile_names(&s);
    test_threads(&s);
    test_async(&s);
    test_retention(&s);

    emu_stop(&s.demo);
    emu_stop(&s.faults);
    emu_stop(&s.limited);
    printf("%d checks, %d failed\n", checks_run, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}
