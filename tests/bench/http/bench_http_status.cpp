// Requests per second and latency of /status and /metrics under wrk on loopback while checks keep
// changing the engine's state, and the server process's RSS before and after 100k requests.
#include "FakeEngineStatus.h"
#include "http/StatusServer.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace watchdog;

namespace {

long rssKiB(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

std::string run(const std::vector<std::string>& argv) {
    Poco::Pipe out;
    Poco::ProcessHandle h = Poco::Process::launch(argv[0], std::vector<std::string>(argv.begin() + 1, argv.end()), nullptr, &out, &out);
    Poco::PipeInputStream in(out);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    h.wait();
    return text;
}

void wrk(const std::string& url, int seconds) {
    const std::string out = run({"/usr/bin/wrk", "-t2", "-c4", "-d" + std::to_string(seconds) + "s", "--latency", url});
    std::smatch m;
    std::string rps = std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))")) ? m[1].str() : "?";
    std::string p50 = std::regex_search(out, m, std::regex(R"(50%\s+([0-9.]+\w+))")) ? m[1].str() : "?";
    std::string p99 = std::regex_search(out, m, std::regex(R"(99%\s+([0-9.]+\w+))")) ? m[1].str() : "?";
    std::string total = std::regex_search(out, m, std::regex(R"((\d+) requests in)")) ? m[1].str() : "?";
    std::string errors = std::regex_search(out, m, std::regex(R"(Non-2xx or 3xx responses: (\d+))")) ? m[1].str() : "0";
    std::cout << "wrk " << url << ": " << rps << " req/s, latency p50 " << p50 << " p99 " << p99 << ", " << total << " requests, non-2xx "
              << errors << std::endl;
}

/// 100k keep-alive GETs over 4 connections, alternating /status and /metrics; returns failures.
long hammer(int port, long total) {
    std::atomic<long> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
            s.setKeepAlive(true);
            for (long i = t; i < total; i += 4) {
                try {
                    Poco::Net::HTTPRequest req("GET", i % 2 ? "/metrics" : "/status", "HTTP/1.1");
                    req.setKeepAlive(true);
                    s.sendRequest(req);
                    Poco::Net::HTTPResponse resp;
                    std::istream& in = s.receiveResponse(resp);
                    std::string body;
                    Poco::StreamCopier::copyToString(in, body);
                    if (resp.getStatus() != 200) ++failures;
                } catch (...) {
                    ++failures;
                    s.reset();
                }
            }
        });
    for (auto& t : threads) t.join();
    return failures;
}

void measure(int pid, int port) {
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    std::cout << "RSS at start: " << rssKiB(pid) << " KiB" << std::endl;
    hammer(port, 10000);
    const long warm = rssKiB(pid);
    std::cout << "RSS after 10k warm-up requests: " << warm << " KiB" << std::endl;
    wrk(base + "/status", 10);
    wrk(base + "/metrics", 10);
    const long before = rssKiB(pid);
    std::cout << "RSS before 100k requests: " << before << " KiB" << std::endl;
    const auto t0 = std::chrono::steady_clock::now();
    const long failures = hammer(port, 100000);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const long after = rssKiB(pid);
    std::cout << "100k requests (4 keep-alive clients) in " << secs << " s, failures " << failures << std::endl;
    std::cout << "RSS after 100k requests: " << after << " KiB (" << (after - before >= 0 ? "+" : "") << after - before << " KiB)"
              << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "--daemon") {
        // A real daemon: the caller's pipeline must enable http on the given port.
        std::vector<std::string> args = {"run", argv[2]};
        const char* bin = std::getenv("WATCHDOG_BINARY");
        Poco::ProcessHandle daemon = Poco::Process::launch(bin ? bin : "build/bin/encoder-watchdog", args);
        std::this_thread::sleep_for(std::chrono::seconds(3));
        measure(daemon.id(), std::atoi(argv[3]));
        Poco::Process::requestTermination(daemon.id());
        daemon.wait();
        return 0;
    }
    test::FakeEngineStatus engine;
    const auto now = std::chrono::system_clock::now();
    engine.setStatus(test::sampleStation(now));
    engine.setHistory(test::sampleHistory(now));
    HttpSettings settings;
    settings.port = 0;
    StatusServer server(settings, engine);
    server.start();
    // The engine keeps checking: a new snapshot every 10 ms, as results arrive.
    std::atomic<bool> stop{false};
    std::thread checker([&] {
        std::uint64_t n = 0;
        while (!stop) {
            auto s = test::sampleStation(std::chrono::system_clock::now());
            for (auto& c : s.checks) c.passes += n;
            s.checks[1].snapshot.last.value = static_cast<double>(n % 40);
            engine.setStatus(std::move(s));
            ++n;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    std::cout << "in-process status server on port " << server.port() << " (4 worker threads), engine updating every 10 ms" << std::endl;
    measure(static_cast<int>(::getpid()), server.port());
    stop = true;
    checker.join();
    server.stop();
    return 0;
}
