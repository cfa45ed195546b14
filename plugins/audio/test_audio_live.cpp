// Integration tests: dead air on a live station. A real ffmpeg (in real time) plays a tone that turns
// to silence on the same stream, writing HLS and feeding a real icecast2. The audio check passes on
// the tone and fails once the silence is longer than max_silence, from the HLS folder and from the
// Icecast mount, while hls_count, hls_age and icecast on the same station all still pass. And an
// Icecast mount over HTTPS, with the certificate verified.
#include "FfmpegEncoder.h"
#include "IcecastServer.h"
#include "DetailOf.h"
#include "TestSupport.h"
#include <watchdog/testing/PluginTestKit.h>
#include "plugins/PluginLoader.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <doctest/doctest.h>

#include <atomic>

using namespace watchdog;
using namespace watchdog::test;
using namespace watchdog::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kSilentFrom = 8;  // seconds into the stream

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

PluginLoader& loader() {
    static PluginLoader instance({pluginDir()});
    return instance;
}

// Loaded as the daemon loads it: from its .so file.
std::unique_ptr<Check> load(const std::string& plugin, const std::string& yaml) {
    auto check = loader().createCheck(plugin);
    configureFrom(*check, yaml, "checks." + plugin);
    return check;
}

Result runOnce(Check& check) {
    std::atomic<bool> cancelled{false};
    return check.run(CheckContext{"audio", "Audio", 500ms, 5s, &cancelled});
}

// The station's encoder: one tone, muted from kSilentFrom on, as MP3 to Icecast and AAC in HLS.
std::vector<std::string> encoderCommand(const IcecastServer& icecast, const std::string& hls) {
    const std::string mute = "volume=enable='gte(t," + std::to_string(kSilentFrom) + ")':volume=0";
    std::vector<std::string> argv = FfmpegEncoder::toneInput();
    for (const auto& output : {FfmpegEncoder::mp3Output(icecast.sourceUrl("/live")), FfmpegEncoder::hlsOutput(hls)}) {
        argv.insert(argv.end(), {"-af", mute, "-ac", "2"});
        argv.insert(argv.end(), output.begin(), output.end());
    }
    return argv;
}

}  // namespace

TEST_CASE("a tone that turns to silence: audio fails on dead air while hls_count, hls_age and icecast pass") {
    if (findProgram("ffmpeg").empty()) FAIL("ffmpeg is not installed: apt-get install ffmpeg");
    IcecastServer icecast;
    TempDir dir;
    const std::string hls = dir.file("hls");
    runCommand({"mkdir", "-p", hls}, 5s);
    ChildProcess encoder(encoderCommand(icecast, hls));
    REQUIRE_MESSAGE(icecast.waitForSource("/live", 15s), encoder.output());
    REQUIRE_MESSAGE(waitUntil([&] { return !readFile(hls + "/seg00002.ts").empty(); }, 15s), encoder.output());

    auto fromFolder = load("audio", "directory: " + hls + "\nmax_silence: 2s\ncodec: aac\nsample_rate: 44100\nchannels: 2\n");
    auto fromMount = load("audio", "url: " + icecast.url() + "/live\nsample: 1s\nmax_silence: 2s\ncodec: mp3\nmin_bitrate: 64k\n");
    auto count = load("hls_count", "directory: " + hls + "\nmax_files: 20\nexclude: [live.m3u8]\n");
    auto age = load("hls_age", "directory: " + hls + "\nmax_age: 15m\nnewest_max_age: 10s\nplaylist: live.m3u8\n");
    auto source = load("icecast", "url: " + icecast.url() + "\nuser: " + icecast.adminUser() + "\npassword: " + icecast.adminPassword() +
                                      "\nmount: /live\n");

    // The tone: every check passes.
    Result tone = runOnce(*fromFolder);
    CHECK_MESSAGE(statusOf(tone) == "pass", tone.summary);
    CHECK_MESSAGE(contains(tone.summary, "sound at -"), tone.summary);
    CHECK(detailOf(tone.details, "codec") == "aac");
    Result toneMount = runOnce(*fromMount);
    CHECK_MESSAGE(statusOf(toneMount) == "pass", toneMount.summary);
    CHECK(detailOf(toneMount.details, "codec") == "mp3");
    CHECK(detailOf(toneMount.details, "bitrate") == "64 kbit/s");
    CHECK(detailOf(toneMount.details, "sample rate") == "44100 Hz");
    CHECK(contains(detailOf(toneMount.details, "source"), "sample of " + icecast.url() + "/live"));

    // The silence: the folder's audio check fails once it has lasted longer than max_silence.
    Result dead;
    const bool failed = waitUntil([&] { return statusOf(dead = runOnce(*fromFolder)) != "pass"; }, 40s, 200ms);
    REQUIRE_MESSAGE(failed, encoder.output());
    CHECK_MESSAGE(statusOf(dead) == "fail", dead.summary);
    CHECK_MESSAGE(contains(dead.summary, "dead air: silent for "), dead.summary);
    CHECK(contains(dead.summary, "(below -50 LUFS, longer than max_silence 2 s)"));
    REQUIRE(dead.value);  // the level of the newest audio decoded (which may still end a tone)
    CHECK(dead.unit == "LUFS");
    CHECK(detailOf(dead.details, "silence") != "none");
    // ... while everything the old script watched still looks healthy.
    for (Check* other : {count.get(), age.get(), source.get()}) {
        Result r = runOnce(*other);
        CHECK_MESSAGE(statusOf(r) == "pass", r.summary);
    }
    // The mount says the same.
    Result deadMount;
    const bool mountFailed = waitUntil([&] { return statusOf(deadMount = runOnce(*fromMount)) != "pass"; }, 30s, 200ms);
    CHECK_MESSAGE(mountFailed, deadMount.summary);
    CHECK_MESSAGE(contains(deadMount.summary, "dead air: silent for "), deadMount.summary);

    // And `encoder-watchdog check` on a pipeline with all four exits 2, with only the audio check failing.
    const std::string pipeline =
        dir.write("pipeline.yaml",
                  "watchdog:\n  name: dead-air\n  timeout: 8s\n  state_file: state.json\n"
                  "checks:\n"
                  "  audio:\n    plugin: audio\n    label: Dead air\n    directory: " +
                      hls +
                      "\n    max_silence: 2s\n"
                      "  ts_count:\n    plugin: hls_count\n    directory: " +
                      hls +
                      "\n    max_files: 20\n"
                      "  ts_age:\n    plugin: hls_age\n    directory: " +
                      hls +
                      "\n    max_age: 15m\n"
                      "  icecast:\n    plugin: icecast\n    url: " +
                      icecast.url() + "\n    user: " + icecast.adminUser() + "\n    password: " + icecast.adminPassword() +
                      "\n"
                      "sinks:\n  - { plugin: jsonl, path: records.jsonl }\n");
    auto [code, out] = runCommand({watchdogBinary(), "check", pipeline, "--json"}, 30s);
    CHECK_MESSAGE(code == 2, out);
    Poco::JSON::Parser parser;
    auto json = parser.parse(out).extract<Poco::JSON::Object::Ptr>();
    auto checks = json->getArray("checks");
    REQUIRE(checks->size() == 4);
    for (std::size_t i = 0; i < checks->size(); ++i) {
        auto c = checks->getObject(static_cast<unsigned>(i));
        const std::string id = c->getValue<std::string>("id");
        const std::string said = id + ": " + c->getValue<std::string>("summary");
        CHECK_MESSAGE(c->getValue<std::string>("status") == (id == "audio" ? "fail" : "pass"), said);
    }
}

TEST_CASE("an Icecast mount over HTTPS: the certificate is verified, ca_file trusts a private one") {
    if (findProgram("ffmpeg").empty()) FAIL("ffmpeg is not installed: apt-get install ffmpeg");
    IcecastServer::Settings settings;
    settings.tls = true;
    IcecastServer icecast(settings);
    std::vector<std::string> argv = FfmpegEncoder::toneInput();
    argv.insert(argv.end(), {"-ac", "2"});
    const auto mp3 = FfmpegEncoder::mp3Output(icecast.sourceUrl("/live"));
    argv.insert(argv.end(), mp3.begin(), mp3.end());
    ChildProcess encoder(argv);
    REQUIRE_MESSAGE(icecast.waitForSource("/live", 15s), encoder.output());

    // Self-signed: refused unless trusted.
    Result untrusted = runOnce(*load("audio", "url: " + icecast.tlsUrl() + "/live\nsample: 1s\n"));
    CHECK(statusOf(untrusted) == "error");
    CHECK_MESSAGE(contains(untrusted.summary, "cannot open " + icecast.tlsUrl() + "/live: "), untrusted.summary);
    CHECK_MESSAGE(contains(untrusted.summary, "certificate"), untrusted.summary);

    Result trusted =
        runOnce(*load("audio", "url: " + icecast.tlsUrl() + "/live\nsample: 1s\nca_file: " + icecast.certificateFile() + "\ncodec: mp3\n"));
    CHECK_MESSAGE(statusOf(trusted) == "pass", trusted.summary);
    CHECK(contains(trusted.summary, "sound at -"));
}
