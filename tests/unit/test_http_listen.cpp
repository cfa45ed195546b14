// The `http:` block: which listen addresses validate, what they become, and the exact error for
// each one `run` could not use or that would open the status server to other machines unasked.
#include "FakeEngineStatus.h"
#include "PipelineErrors.h"
#include "TestSupport.h"
#include "config/Pipeline.h"
#include "http/StatusServer.h"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace watchdog;
using namespace watchdog::test;

namespace {

/// A pipeline whose `http:` block (line 2 on) is `http`.
std::string pipelineWith(const TempDir& dir, const std::string& http) {
    return dir.write("pipeline.yaml", "checks: { a: { plugin: x } }\n" + http);
}

std::string noToken(const std::string& shown, const std::string& reach) {
    return "http.listen: " + shown + reach +
           ", so other machines can reach the status server, and there is no token: set http.token (clients then send "
           "\"Authorization: Bearer TOKEN\"), or allow_unauthenticated: true to serve it to anyone";
}

}  // namespace

TEST_CASE("loopback addresses validate without a token, IPv6 in brackets") {
    TempDir dir;
    for (const auto& [listen, host, port] : std::vector<std::tuple<std::string, std::string, int>>{{"127.0.0.1:9480", "127.0.0.1", 9480},
                                                                                                   {"localhost:80", "localhost", 80},
                                                                                                   {"[::1]:9480", "[::1]", 9480},
                                                                                                   {"127.0.0.2:0", "127.0.0.2", 0}}) {
        INFO(listen);
        const std::string path = pipelineWith(dir, "http: { listen: \"" + listen + "\" }\n");
        REQUIRE(pipelineErrors(path).empty());
        const Pipeline p = loadPipeline(path);
        CHECK(p.http.enabled);
        CHECK(p.http.host == host);
        CHECK(p.http.port == port);
        CHECK(p.http.token.empty());
    }
    const Pipeline defaults = loadPipeline(pipelineWith(dir, "http: {}\n"));
    CHECK(defaults.http.host == "127.0.0.1");
    CHECK(defaults.http.port == 9480);
}

TEST_CASE("an address other machines can reach is refused without a token, at the listen value") {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"0.0.0.0:9480", " listens on every interface"},      {":9480", " listens on every interface"},
        {"[::]:9480", " listens on every interface"},         {"192.168.1.20:9480", " is not a loopback address"},
        {"[2001:db8::1]:9480", " is not a loopback address"}, {"status.example:9480", " names a host other than localhost"},
    };
    for (const auto& [listen, reach] : cases) {
        INFO(listen);
        const std::string path = pipelineWith(dir, "http:\n  listen: \"" + listen + "\"\n");
        const auto errors = pipelineErrors(path);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == path + ":3:11: " + noToken("'" + listen + "'", reach));
    }
}

TEST_CASE("a token or allow_unauthenticated: true lets an address beyond loopback through; ':PORT' is every IPv4 interface") {
    TempDir dir;
    Pipeline p = loadPipeline(pipelineWith(dir, "http: { listen: \":9480\", token: s3cret }\n"));
    CHECK(p.http.host == "0.0.0.0");
    CHECK(p.http.port == 9480);
    CHECK(p.http.token == "s3cret");
    CHECK_FALSE(p.http.allowUnauthenticated);

    p = loadPipeline(pipelineWith(dir, "http: { listen: \"[::]:9480\", allow_unauthenticated: true }\n"));
    CHECK(p.http.host == "[::]");
    CHECK(p.http.allowUnauthenticated);
    CHECK(p.http.token.empty());

    // An empty token is no token.
    ::setenv("WATCHDOG_TEST_EMPTY_TOKEN", "", 1);
    const std::string path = pipelineWith(dir, "http:\n  listen: 0.0.0.0:9480\n  token: ${WATCHDOG_TEST_EMPTY_TOKEN}\n");
    const auto errors = pipelineErrors(path);
    ::unsetenv("WATCHDOG_TEST_EMPTY_TOKEN");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == path + ":3:11: " + noToken("'0.0.0.0:9480'", " listens on every interface"));
}

TEST_CASE("listen values run could not use are refused with what to write instead") {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"nowhere", "'nowhere' is not HOST:PORT (e.g. 127.0.0.1:9480)"},
        {"::1:9480", "'::1:9480' is not HOST:PORT: put an IPv6 address in brackets (e.g. [::1]:9480)"},
        {"[::1]9480", "'[::1]9480' is not [IPv6]:PORT (e.g. [::1]:9480)"},
        {"[::1", "'[::1' is not [IPv6]:PORT (e.g. [::1]:9480)"},
        {"[127.0.0.1]:9480", "'[127.0.0.1]' is not an IPv6 address (e.g. [::1]:9480)"},
        {"bad host:9480", "'bad host' is not an IP address or a host name"},
        {"-x.example:9480", "'-x.example' is not an IP address or a host name"},
        {"127.0.0.1:", "'' is not a port (0-65535)"},
        {"127.0.0.1:http", "'http' is not a port (0-65535)"},
        {"127.0.0.1:65536", "'65536' is not a port (0-65535)"},
        {"127.0.0.1:-1", "'-1' is not a port (0-65535)"},
        {"127.0.0.1:99999999999999999999", "'99999999999999999999' is not a port (0-65535)"},
        {"[::1]:+80", "'+80' is not a port (0-65535)"},
    };
    for (const auto& [listen, message] : cases) {
        INFO(listen);
        const std::string path = pipelineWith(dir, "http:\n  listen: \"" + listen + "\"\n");
        const auto errors = pipelineErrors(path);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == path + ":3:11: http.listen: " + message);
    }
}

TEST_CASE("a listen address from ${VAR} is shown as the variable in every message, never as its value") {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"10.1.2.3:9480", noToken("'${WATCHDOG_TEST_LISTEN}'", " is not a loopback address")},
        {"10.1.2.3", "http.listen: '${WATCHDOG_TEST_LISTEN}' is not HOST:PORT (e.g. 127.0.0.1:9480)"},
        {"10.1.2.3:x", "http.listen: '${WATCHDOG_TEST_LISTEN}' does not end in a port (0-65535)"},
        {"bad host:1", "http.listen: '${WATCHDOG_TEST_LISTEN}' is not an IP address or a host name"},
    };
    for (const auto& [value, message] : cases) {
        INFO(value);
        ::setenv("WATCHDOG_TEST_LISTEN", value.c_str(), 1);
        const std::string path = pipelineWith(dir, "http:\n  listen: ${WATCHDOG_TEST_LISTEN}\n");
        const auto errors = pipelineErrors(path);
        ::unsetenv("WATCHDOG_TEST_LISTEN");
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == path + ":3:11: " + message);
        CHECK(errors[0].find("10.1.2.3") == std::string::npos);
        CHECK(errors[0].find("bad host") == std::string::npos);
    }
}

TEST_CASE("unknown keys in http: are still reported beside a listen problem") {
    TempDir dir;
    const std::string path = pipelineWith(dir, "http:\n  listen: 0.0.0.0:1\n  allow_unauthenticate: true\n");
    const auto errors = pipelineErrors(path);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0] == path + ":3:11: " + noToken("'0.0.0.0:1'", " listens on every interface"));
    CHECK(errors[1] == path + ":4:3: http: unknown option 'allow_unauthenticate' (did you mean 'allow_unauthenticated'?)");
}

TEST_CASE("every listen form that validates also starts the status server") {
    TempDir dir;
    FakeEngineStatus engine;
    for (const std::string http :
         {"{ listen: \"127.0.0.1:0\" }", "{ listen: \"localhost:0\" }", "{ listen: \"[::1]:0\" }", "{ listen: \":0\", token: t }",
          "{ listen: \"0.0.0.0:0\", allow_unauthenticated: true }", "{ listen: \"[::]:0\", token: t }"}) {
        INFO(http);
        const Pipeline p = loadPipeline(pipelineWith(dir, "http: " + http + "\n"));
        StatusServer server(p.http, engine);
        CHECK_NOTHROW(server.start());
        CHECK(server.port() > 0);
    }
}
