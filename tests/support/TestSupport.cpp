#include "TestSupport.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace watchdog::test {

namespace fs = std::filesystem;

namespace {
std::string envOr(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}
}  // namespace

// Tests live in build/tests and benchmarks in build/bench, so without ctest's variable the build
// tree is the parent of the executable's folder.
std::string buildDir() { return envOr("WATCHDOG_BUILD_DIR", fs::read_symlink("/proc/self/exe").parent_path().parent_path().string()); }
std::string sourceDir() { return envOr("WATCHDOG_SOURCE_DIR", fs::current_path().string()); }
std::string watchdogBinary() { return buildDir() + "/bin/encoder-watchdog"; }
std::string pluginDir() { return buildDir() + "/" WATCHDOG_PLUGIN_SUBDIR; }

std::string findProgram(const std::string& name) {
    std::string path = envOr("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/local/sbin";
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        std::string candidate = dir + "/" + name;
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "watchdog-test-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
    ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string TempDir::file(const std::string& name) const { return path_ + "/" + name; }

std::string TempDir::write(const std::string& name, const std::string& content) const {
    std::string p = file(name);
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> nonEmptyLinesOf(const std::string& text) {
    std::vector<std::string> out;
    for (auto& line : linesOf(text))
        if (!line.empty()) out.push_back(std::move(line));
    return out;
}

std::string joinedLines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

int freeLoopbackPort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout, std::chrono::milliseconds poll) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= end) return condition();
        std::this_thread::sleep_for(poll);
    }
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string workingDirectory) {
    static int counter = 0;
    outputPath_ =
        (fs::temp_directory_path() / ("watchdog-child-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".log")).string();
    std::vector<std::string> envStrings;
    for (char** e = environ; *e; ++e) {
        std::string s(*e);
        if (!env.count(s.substr(0, s.find('=')))) envStrings.push_back(s);
    }
    for (const auto& [k, v] : env) envStrings.push_back(k + "=" + v);
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : envStrings) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = ::open(outputPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        if (!workingDirectory.empty() && ::chdir(workingDirectory.c_str()) != 0) _exit(126);
        environ = envp.data();
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }
}

ChildProcess::~ChildProcess() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::milliseconds(5000));
    }
    std::error_code ec;
    fs::remove(outputPath_, ec);
}

bool ChildProcess::running() {
    if (exitCode_) return false;
    return !wait(std::chrono::milliseconds(0)).has_value();
}

void ChildProcess::signal(int sig) {
    if (!exitCode_) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (exitCode_) return exitCode_;
    auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exitCode_;
        }
        if (r < 0) {
            exitCode_ = -1;
            return exitCode_;
        }
        if (std::chrono::steady_clock::now() >= end) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    signal(SIGTERM);
    if (auto rc = wait(grace)) return *rc;
    signal(SIGKILL);
    return wait(std::chrono::milliseconds(5000)).value_or(-1);
}

std::string ChildProcess::output() const { return readFile(outputPath_); }

std::pair<int, std::string> runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                       std::map<std::string, std::string> env) {
    ChildProcess p(argv, std::move(env));
    auto rc = p.wait(timeout);
    if (!rc) rc = p.stop(std::chrono::milliseconds(1000));
    return {*rc, p.output()};
}

namespace {
class LambdaHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit LambdaHandler(const LocalHttpServer::Handler& h) : handler_(h) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override { handler_(req, resp); }

private:
    const LocalHttpServer::Handler& handler_;
};

class LambdaFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit LambdaFactory(const LocalHttpServer::Handler& h) : handler_(h) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new LambdaHandler(handler_);
    }

private:
    const LocalHttpServer::Handler& handler_;
};
}  // namespace

struct LocalHttpServer::State {
    Handler handler;
    std::optional<TempDir> certificates;  // with TLS: cert.pem and key.pem
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    std::unique_ptr<Poco::Net::HTTPServer> server;

    void start() {
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(16);
        params->setKeepAlive(true);
        server = std::make_unique<Poco::Net::HTTPServer>(new LambdaFactory(handler), *socket, params);
        server->start();
    }
};

LocalHttpServer::LocalHttpServer(Handler handler) : state_(std::make_unique<State>()) {
    state_->handler = std::move(handler);
    state_->socket = std::make_unique<Poco::Net::ServerSocket>(Poco::Net::SocketAddress("127.0.0.1", 0));
    state_->start();
}

LocalHttpServer::LocalHttpServer(Handler handler, SelfSignedTls) : state_(std::make_unique<State>()) {
    state_->handler = std::move(handler);
    const TempDir& dir = state_->certificates.emplace();
    const std::string openssl = findProgram("openssl");
    if (openssl.empty()) throw std::runtime_error("openssl is needed to make the test certificate (apt-get install openssl)");
    const auto [code, out] = runCommand(
        {openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem")},
        std::chrono::seconds(30));
    if (code != 0) throw std::runtime_error("openssl could not make the test certificate: " + out);
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, dir.file("key.pem"), dir.file("cert.pem"),
                                                             "", Poco::Net::Context::VERIFY_NONE);
    state_->socket = std::make_unique<Poco::Net::SecureServerSocket>(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
    state_->start();
}

LocalHttpServer::~LocalHttpServer() {
    state_->server->stopAll(true);
    // Poco does not join the connection threads: one still in a handler would call it (or Poco's
    // statics, at exit) after they are gone. Give them a moment to finish.
    for (int i = 0; i < 500 && state_->server->currentConnections() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

int LocalHttpServer::port() const { return state_->socket->address().port(); }

std::string LocalHttpServer::url() const {
    return (state_->certificates ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port());
}

std::string LocalHttpServer::certificateFile() const { return state_->certificates ? state_->certificates->file("cert.pem") : ""; }

PidFileGuard::~PidFileGuard() {
    const std::string text = readFile(path);
    if (!text.empty()) ::kill(std::atoi(text.c_str()), SIGKILL);
}

ScopedVariable::ScopedVariable(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value)
        ::setenv(name_.c_str(), value, 1);
    else
        ::unsetenv(name_.c_str());
}

ScopedVariable::~ScopedVariable() {
    if (old_)
        ::setenv(name_.c_str(), old_->c_str(), 1);
    else
        ::unsetenv(name_.c_str());
}

}  // namespace watchdog::test
