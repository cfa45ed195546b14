// The status server against clients that hold connections open: slowloris (headers one byte at a
// time), a trickled body, a silent client, an idle kept-alive connection, and stop() while they
// are connected. Everything on loopback; every slow client stops by itself.
#include "FakeEngineStatus.h"
#include "http/StatusServer.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace watchdog;
using namespace std::chrono_literals;
using watchdog::test::FakeEngineStatus;

namespace {

int get(int port, const std::string& target) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest req("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    return resp.getStatus();
}

/// What a client read before the server closed the connection.
struct Ending {
    std::string text;     ///< everything the server sent
    bool closed = false;  ///< the read returned 0 (or the server reset the connection) before 10 s passed
};

/// A client on loopback that sends `opening` and then, each time trickle() is called, one more byte,
/// until the server answers or closes; it never sends more than `maxBytes`.
class SlowClient {
public:
    SlowClient(int port, const std::string& opening, std::size_t maxBytes = 400)
        : socket_(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))), left_(maxBytes) {
        if (!opening.empty()) socket_.sendBytes(opening.data(), static_cast<int>(opening.size()));
    }
    /// True if the server has sent something or closed (there is something to read).
    bool answered() { return socket_.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ); }
    /// Sends one more header byte; false once the server answered or closed, or the bytes ran out.
    bool trickle() {
        if (left_ == 0 || answered()) return false;
        try {
            socket_.sendBytes("a", 1);
        } catch (const Poco::Exception&) {
            return false;
        }
        --left_;
        return true;
    }
    /// Reads until the server closes (at most 10 s).
    Ending ending() {
        Ending e;
        socket_.setReceiveTimeout(Poco::Timespan(10, 0));
        char buffer[1024];
        try {
            int n;
            while ((n = socket_.receiveBytes(buffer, sizeof buffer)) > 0) e.text.append(buffer, static_cast<std::size_t>(n));
            e.closed = true;
        } catch (const Poco::Net::ConnectionResetException&) {
            e.closed = true;
        } catch (const Poco::TimeoutException&) {
        }
        return e;
    }

private:
    Poco::Net::StreamSocket socket_;
    std::size_t left_;
};

/// Sends one byte to each client every 50 ms on a thread of its own, until none is left sending.
class Trickler {
public:
    explicit Trickler(std::vector<std::unique_ptr<SlowClient>>& clients)
        : thread_([this, &clients] {
              for (int round = 0; round < 400 && !stop_; ++round) {
                  bool any = false;
                  for (auto& c : clients) any = c->trickle() || any;
                  if (!any) break;
                  std::this_thread::sleep_for(50ms);
              }
          }) {}
    ~Trickler() {
        stop_ = true;
        thread_.join();
    }

private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

struct Server {
    FakeEngineStatus engine;
    std::unique_ptr<StatusServer> server;

    explicit Server(const HttpSettings& base) {
        engine.setStatus(test::sampleStation(std::chrono::system_clock::now()));
        HttpSettings settings = base;
        settings.enabled = true;
        settings.port = 0;
        server = std::make_unique<StatusServer>(settings, engine);
        server->start();
    }
    int port() const { return server->port(); }
};

}  // namespace

TEST_CASE("slowloris: /healthz answers while clients trickle their headers, and they get 408 after the request timeout") {
    HttpSettings settings;
    settings.requestTimeout = 2s;
    Server s(settings);
    // More slow clients than the 4 workers the server used to have, and one that sends nothing.
    std::vector<std::unique_ptr<SlowClient>> slow;
    for (int i = 0; i < 8; ++i) slow.push_back(std::make_unique<SlowClient>(s.port(), "GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    SlowClient silent(s.port(), "");
    Trickler trickler(slow);

    CHECK(get(s.port(), "/healthz") == 200);
    // The attack is still on: no slow client has been answered or closed yet.
    for (auto& c : slow) CHECK_FALSE(c->answered());

    for (auto& c : slow) {
        const Ending e = c->ending();
        INFO(e.text);
        CHECK(e.closed);
        CHECK(e.text.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
        CHECK(e.text.find("Connection: Close\r\n") != std::string::npos);
        CHECK(e.text.find("{\"error\":\"the request did not arrive within 2 s\"}") != std::string::npos);
    }
    const Ending quiet = silent.ending();
    CHECK(quiet.closed);
    CHECK(quiet.text.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
    CHECK(get(s.port(), "/healthz") == 200);
}

TEST_CASE("a request body that trickles gets 408 and does not ask for a status report") {
    HttpSettings settings;
    settings.requestTimeout = 500ms;
    Server s(settings);
    SlowClient client(s.port(), "POST /notify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
    const Ending e = client.ending();
    CHECK(e.closed);
    CHECK(e.text.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
    CHECK(e.text.find("the request body did not arrive in full") != std::string::npos);
    CHECK(s.engine.reports() == 0);
}

TEST_CASE("a kept-alive connection left idle is closed after the idle timeout") {
    HttpSettings settings;
    settings.idleTimeout = 300ms;
    Server s(settings);
    SlowClient client(s.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const Ending e = client.ending();
    CHECK(e.closed);
    CHECK(e.text.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(e.text.find("Connection: Keep-Alive\r\n") != std::string::npos);
    CHECK(e.text.substr(e.text.size() - 3) == "ok\n");
}

TEST_CASE("stop() closes connections that are still sending their headers and returns") {
    HttpSettings settings;
    settings.requestTimeout = 600s;  // only stop() can end these
    Server s(settings);
    std::vector<std::unique_ptr<SlowClient>> slow;
    for (int i = 0; i < 3; ++i) slow.push_back(std::make_unique<SlowClient>(s.port(), "GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    CHECK(get(s.port(), "/healthz") == 200);
    s.server->stop();
    for (auto& c : slow) CHECK(c->ending().closed);
}
