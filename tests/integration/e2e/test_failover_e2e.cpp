// The whole story with every real part: icecast2 with an ffmpeg source that also writes HLS, a real
// MariaDB, the local Discord and EC2 endpoints, and the encoder-watchdog binary as a real process
// (first `run`, then `run --daemon --pidfile`). Every message and API call is checked for content
// and order.
#include "FakeDiscord.h"
#include "FakeEc2.h"
#include "FfmpegEncoder.h"
#include "IcecastServer.h"
#include "MariaDbServer.h"
#include "TestSupport.h"

#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <set>

using namespace watchdog::test;
using namespace std::chrono_literals;

namespace {

const std::string kInstance = "i-0e2e0000000000001";
const std::string kAccessKey = "AKIDE2ETEST";
const std::string kSecretKey = "e2e-secret-key-never-logged";

/// The station: icecast2, MariaDB, the fake clouds, and an encoder that can die and come back.
struct Station {
    TempDir dir;
    IcecastServer icecast;
    MariaDbServer mariadb;
    FakeDiscord discord;
    FakeEc2 ec2{"eu-west-2"};
    std::unique_ptr<FfmpegEncoder> encoder;

    Station() {
        ec2.addCredentials(kAccessKey, kSecretKey);
        ec2.addInstance(kInstance, "stopped", "203.0.113.50", "10.0.0.50");
        ec2.setTransitionDescribes(2);
        startEncoder();
    }

    std::string hls() const { return dir.file("hls"); }

    void startEncoder() {
        FfmpegEncoder::Settings s;
        s.icecastUrl = icecast.sourceUrl("/live");
        s.hlsDirectory = hls();
        encoder = std::make_unique<FfmpegEncoder>(s);
        dir.write("encoder.pid", std::to_string(encoder->pid()) + "\n");
        REQUIRE(icecast.waitForSource("/live", 20s));
        REQUIRE(encoder->waitForSegments(2, 20s));
    }

    void killEncoder() {
        encoder->kill();
        encoder.reset();
    }

    std::string pipeline(const std::string& folder, const std::string& wait, int httpPort) const {
        const std::string base = dir.file(folder);
        std::string yaml =
            "watchdog: { name: e2e-station, interval: 500ms, timeout: 2s, state_file: state.json }\n"
            "log: { console: true, file: watchdog.log, level: information }\n"
            "http: { listen: 127.0.0.1:" +
            std::to_string(httpPort) +
            " }\n"
            "checks:\n"
            "  icecast: { plugin: icecast, label: Icecast Sources, url: " +
            icecast.url() +
            ", user: admin, password: \"${ICECAST_PASS}\", mount: /live }\n"
            "  encoder_cpu: { plugin: process_cpu, label: Encoder CPU, pidfile: " +
            dir.file("encoder.pid") +
            ", min_percent: 0.05 }\n"
            "  ts_count: { plugin: hls_count, label: TS File Count, directory: " +
            hls() +
            ", max_files: 20 }\n"
            "  ts_age: { plugin: hls_age, label: HLS Old Files, directory: " +
            hls() +
            ", max_age: 1m, newest_max_age: 3s }\n"
            "actions:\n"
            "  discord: { plugin: discord_notify, webhook_url: \"${DISCORD_WEBHOOK_URL}\" }\n"
            "  backup: { plugin: aws_start, instance_id: " +
            kInstance + ", region: eu-west-2, endpoint: " + ec2.url() + ", access_key_id: " + kAccessKey +
            ", secret_access_key: \"${AWS_SECRET}\", instance_role: false,"
            " poll_interval: 100ms, max_wait: 20s }\n"
            "rules:\n"
            "  failover: { when: \"2 of [icecast, encoder_cpu, ts_count, ts_age]\", warn: [discord], wait: " +
            wait +
            ", then: [backup], recover: [discord] }\n"
            "  online: { on: startup, then: [discord] }\n"
            "sinks:\n"
            "  - { plugin: sqlite, path: history.db }\n"
            "  - { plugin: mysql, host: 127.0.0.1, port: " +
            std::to_string(mariadb.port()) + ", user: " + mariadb.user() + ", password: \"${DB_PASS}\", database: " + mariadb.database() +
            " }\n";
        return dir.write(folder + "/pipeline.yaml", yaml);
    }

    std::map<std::string, std::string> environment() const {
        return {{"ICECAST_PASS", icecast.adminPassword()},
                {"DISCORD_WEBHOOK_URL", discord.webhookUrl()},
                {"AWS_SECRET", kSecretKey},
                {"DB_PASS", mariadb.password()}};
    }

    std::vector<std::string> run(const std::string& pipeline, std::vector<std::string> extra = {}) const {
        std::vector<std::string> argv{watchdogBinary(), "run", pipeline};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return argv;
    }

    /// Index of the first Discord message at or after `from` containing `text`, or -1.
    int findMessage(const std::string& text, int from = 0) const {
        const auto messages = discord.bodies();
        for (int i = from; i < static_cast<int>(messages.size()); ++i)
            if (messages[static_cast<std::size_t>(i)].find(text) != std::string::npos) return i;
        return -1;
    }

    bool waitForMessage(const std::string& text, int from = 0, std::chrono::milliseconds timeout = 30s) const {
        return waitUntil([&] { return findMessage(text, from) >= 0; }, timeout, 50ms);
    }
};

bool logged(const std::string& logFile, const std::string& text) { return readFile(logFile).find(text) != std::string::npos; }

bool allPassing(const std::string& logFile) {
    const std::string log = readFile(logFile);
    for (const char* id : {"icecast", "encoder_cpu", "ts_count", "ts_age"})
        if (log.find(std::string("check ") + id + " is now passing") == std::string::npos) return false;
    return true;
}

std::size_t resultCount(const std::string& pipeline, const std::map<std::string, std::string>& env) {
    auto [code, out] = runCommand({watchdogBinary(), "history", pipeline, "--since", "1h", "--json"}, 60s, env);
    REQUIRE(code == 0);
    Poco::JSON::Parser parser;
    auto records = parser.parse(out).extract<Poco::JSON::Object::Ptr>()->getArray("records");
    std::size_t results = 0;
    for (std::size_t i = 0; i < records->size(); ++i)
        results += records->getObject(static_cast<unsigned>(i))->getValue<std::string>("kind") == "result";
    return results;
}

/// The rule's state as GET /status of the running daemon shows it.
std::string ruleState(int httpPort, const std::string& rule) {
    auto [code, body] = runCommand({"curl", "-s", "http://127.0.0.1:" + std::to_string(httpPort) + "/status"}, 10s);
    if (code != 0 || body.empty()) return "";
    Poco::JSON::Parser parser;
    auto rules = parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getArray("rules");
    for (std::size_t i = 0; rules && i < rules->size(); ++i) {
        auto r = rules->getObject(static_cast<unsigned>(i));
        if (r->getValue<std::string>("id") == rule) return r->getValue<std::string>("state");
    }
    return "";
}

}  // namespace

TEST_CASE("e2e: the encoder dies, the backup starts once, the encoder comes back; nothing is lost") {
    Station s;
    const int httpPort = freeLoopbackPort();
    const std::string pipeline = s.pipeline("one", "2s", httpPort);
    const std::string log = s.dir.file("one/watchdog.log");

    // 1. healthy: every check passes, Discord hears the startup, rows land in the old table.
    auto daemon = std::make_unique<ChildProcess>(s.run(pipeline), s.environment());
    REQUIRE(s.waitForMessage("The monitoring bot has restarted at"));
    REQUIRE(waitUntil([&] { return allPassing(log); }, 30s));
    REQUIRE(waitUntil(
        [&] {
            auto [status, rows] = s.mariadb.trySql("SELECT COUNT(*) FROM monitoring_logs", s.mariadb.database());
            return status == 0 && rows != "0\n";
        },
        20s));
    CHECK(s.mariadb.sql("SELECT COUNT(*) FROM monitoring_logs WHERE parameter='Icecast Sources' AND status='pass'", s.mariadb.database()) !=
          "0\n");

    // 7. (during the incident) MariaDB goes away for a while.
    s.mariadb.stop();

    // 2. the encoder dies: the warning arrives with the failing checks and the countdown.
    s.killEncoder();
    INFO("discord requests: " << [&] {
        std::string all;
        for (const auto& r : s.discord.requests()) all += std::to_string(r.status) + " " + r.error + " " + r.body.substr(0, 300) + "\n";
        return all;
    }());
    INFO("watchdog log: " << readFile(log).substr(readFile(log).size() > 3000 ? readFile(log).size() - 3000 : 0));
    REQUIRE(s.waitForMessage("failover countdown"));
    const int warning = s.findMessage("failover countdown");
    const std::string warningBody = s.discord.bodies()[static_cast<std::size_t>(warning)];
    CHECK(warningBody.find("<t:") != std::string::npos);
    CHECK(((warningBody.find("Icecast Sources") != std::string::npos) + (warningBody.find("Encoder CPU") != std::string::npos) +
           (warningBody.find("HLS Old Files") != std::string::npos)) >= 2);

    // 3. after the wait: one DescribeInstances then one StartInstances, signed, and the instance runs.
    REQUIRE(s.waitForMessage(kInstance, warning + 1));
    CHECK(s.ec2.succeeded("StartInstances") == 1);
    CHECK(s.ec2.state(kInstance) == "running");
    const auto calls = s.ec2.calls();
    REQUIRE(!calls.empty());
    CHECK(calls.front().action == "DescribeInstances");
    CHECK(std::count_if(calls.begin(), calls.end(), [](const Ec2Call& c) { return c.status != 200; }) == 0);
    const int outcome = s.findMessage(kInstance, warning + 1);
    CHECK(s.discord.bodies()[static_cast<std::size_t>(outcome)].find("203.0.113.50") != std::string::npos);

    s.mariadb.start();

    // 4. the watchdog restarts mid-incident, now as a daemon with a pid file: no second start.
    daemon->signal(SIGTERM);
    REQUIRE(daemon->wait(10s) == 0);
    daemon.reset();
    const std::string pidfile = s.dir.file("one/watchdog.pid");
    PidFileGuard guard{pidfile};
    auto [code, out] = runCommand(s.run(pipeline, {"--daemon", "--pidfile", pidfile}), 20s, s.environment());
    REQUIRE(code == 0);
    REQUIRE(waitUntil([&] { return !readFile(pidfile).empty(); }, 10s));
    const int pid = std::stoi(readFile(pidfile));
    REQUIRE(waitUntil([&] { return logged(log, "resuming rule failover (fired"); }, 20s));
    const std::size_t before = s.discord.messageCount();
    REQUIRE(s.waitForMessage("The monitoring bot has restarted at", static_cast<int>(before) - 1 < 0 ? 0 : outcome + 1));

    // 5. the encoder comes back: recovery, and the rule is idle again.
    s.startEncoder();
    REQUIRE(s.waitForMessage("Recovered", outcome + 1));
    REQUIRE(waitUntil([&] { return ruleState(httpPort, "failover") == "idle"; }, 10s));
    CHECK(s.ec2.count("StartInstances") == 1);

    ::kill(pid, SIGTERM);
    REQUIRE(waitUntil([&] { return ::kill(pid, 0) != 0; }, 10s));

    // Order of what Discord heard.
    const int recovered = s.findMessage("Recovered", outcome + 1);
    CHECK(s.findMessage("The monitoring bot has restarted at") < warning);
    CHECK(warning < outcome);
    CHECK(outcome < recovered);
    for (const auto& m : s.discord.bodies()) CHECK(m.find(kSecretKey) == std::string::npos);
    CHECK(readFile(log).find(kSecretKey) == std::string::npos);
    CHECK(readFile(log).find(s.discord.token()) == std::string::npos);

    // 7. every result reached MariaDB exactly once, MariaDB outage or not.
    const std::size_t results = resultCount(pipeline, s.environment());
    CHECK(results > 20);
    CHECK(s.mariadb.sql("SELECT COUNT(*) FROM monitoring_logs", s.mariadb.database()) == std::to_string(results) + "\n");
    const std::string db = s.mariadb.database();
    CHECK(s.mariadb.sql("SELECT COUNT(*) FROM watchdog_records WHERE kind='result'", db) == std::to_string(results) + "\n");
    CHECK(s.mariadb.sql("SELECT COUNT(*) - COUNT(DISTINCT seq) FROM watchdog_records", db) == "0\n");
    CHECK(s.mariadb.sql("SELECT COUNT(*) FROM (SELECT seq, LAG(seq) OVER (ORDER BY id) AS prev FROM watchdog_records) t "
                        "WHERE prev > seq",
                        db) == "0\n");

    // 6. a second run: the encoder comes back during the countdown, nothing is started.
    s.ec2.clearCalls();
    s.discord.clear();
    const std::string second = s.pipeline("two", "1h", freeLoopbackPort());
    ChildProcess again(s.run(second), s.environment());
    REQUIRE(s.waitForMessage("The monitoring bot has restarted at"));
    REQUIRE(waitUntil([&] { return allPassing(s.dir.file("two/watchdog.log")); }, 30s));
    s.killEncoder();
    REQUIRE(s.waitForMessage("failover countdown"));
    s.startEncoder();
    REQUIRE(s.waitForMessage("Failover cancelled"));
    again.signal(SIGTERM);
    REQUIRE(again.wait(10s) == 0);
    CHECK(s.ec2.count("StartInstances") == 0);
    CHECK(s.ec2.count("DescribeInstances") == 0);
}
