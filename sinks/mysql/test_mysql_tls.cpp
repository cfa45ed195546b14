#include "MysqlSink.h"

#include <watchdog/testing/PluginTestKit.h>

#include "ErrorOf.h"
#include "MariaDbServer.h"
#include "SampleRecords.h"
#include "TestSupport.h"

#include <doctest/doctest.h>

using namespace watchdog;
using namespace watchdog::mysql;
using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

// A CA and a server certificate for 127.0.0.1 (subjectAltName IP), made with the openssl tool.
struct Certificates {
    TempDir dir;
    std::string ca, otherCa, cert, key;

    Certificates() {
        if (findProgram("openssl").empty()) throw std::runtime_error("openssl is not installed: apt-get install openssl");
        ca = dir.file("ca.pem");
        otherCa = dir.file("other-ca.pem");
        cert = dir.file("server.pem");
        key = dir.file("server.key");
        const std::string ext = dir.write("ext.cnf", "subjectAltName=IP:127.0.0.1\n");
        run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("ca.key"), "-out", ca, "-days", "2", "-subj",
             "/CN=watchdog test CA"});
        run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("other-ca.key"), "-out", otherCa, "-days", "2",
             "-subj", "/CN=someone else's CA"});
        run({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", dir.file("server.csr"), "-subj", "/CN=127.0.0.1"});
        run({"openssl", "x509", "-req", "-in", dir.file("server.csr"), "-CA", ca, "-CAkey", dir.file("ca.key"), "-set_serial", "2", "-out",
             cert, "-days", "2", "-extfile", ext});
    }
    static void run(const std::vector<std::string>& argv) {
        auto [rc, output] = runCommand(argv, 60s);
        if (rc != 0) throw std::runtime_error("openssl failed: " + output);
    }
};

std::unique_ptr<MysqlSink> makeSink(const MariaDbServer& db, const std::string& user, const std::string& tls) {
    auto sink = std::make_unique<MysqlSink>();
    sink->configure(testing::optionsFromYaml(
        "host: 127.0.0.1\nport: " + std::to_string(db.port()) + "\nuser: " + user + "\npassword: tls-secret\ndatabase: watchdog\n" + tls,
        "sinks[0]"));
    return sink;
}

// One TLS server for every subcase (doctest re-runs the test body once per subcase).
struct TlsServer {
    Certificates certs;
    std::unique_ptr<MariaDbServer> db;
    TlsServer() {
        MariaDbServer::Settings settings;
        settings.serverOptions = {"--ssl-ca=" + certs.ca, "--ssl-cert=" + certs.cert, "--ssl-key=" + certs.key};
        db = std::make_unique<MariaDbServer>(settings);
        db->sql(
            "CREATE USER 'tls_user'@'127.0.0.1' IDENTIFIED BY 'tls-secret' REQUIRE SSL;"
            "GRANT ALL ON watchdog.* TO 'tls_user'@'127.0.0.1'");
    }
};

TlsServer& tlsServer() {
    static TlsServer instance;
    return instance;
}

}  // namespace

TEST_CASE("mysql sink: TLS to a server whose account requires it") {
    const Certificates& certs = tlsServer().certs;
    MariaDbServer& db = *tlsServer().db;
    db.sql("DROP TABLE IF EXISTS monitoring_logs, watchdog_records", "watchdog");

    SUBCASE("tls: required encrypts (the account refuses anything else)") {
        auto sink = makeSink(db, "tls_user", "tls: required\n");
        sink->write(sampleResults(1, 3));
        CHECK(db.sql("SELECT COUNT(*) FROM monitoring_logs", "watchdog") == "3\n");
    }
    SUBCASE("tls: verify with the server's CA checks the certificate and still connects") {
        auto sink = makeSink(db, "tls_user", "tls: verify\ntls_ca: " + certs.ca + "\n");
        sink->write(sampleResults(1, 2));
        CHECK(db.sql("SELECT COUNT(*) FROM watchdog_records", "watchdog") == "2\n");
    }
    SUBCASE("tls: verify against another CA refuses the server") {
        auto sink = makeSink(db, "tls_user", "tls: verify\ntls_ca: " + certs.otherCa + "\n");
        const std::string error = errorOf([&] { sink->open(); });
        CHECK_MESSAGE(error.find("TLS failed") != std::string::npos, error);
        CHECK(error.find("check `tls`, `tls_ca`") != std::string::npos);
    }
    SUBCASE("without TLS the account refuses the sink") {
        auto sink = makeSink(db, "tls_user", "");
        CHECK(errorOf([&] { sink->open(); }).find("refused user 'tls_user'") != std::string::npos);
    }
}
