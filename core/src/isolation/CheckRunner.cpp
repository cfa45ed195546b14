#include "isolation/CheckRunner.h"

#include "common/ResultBounds.h"
#include "engine/Scheduler.h"
#include "isolation/CheckRunnerProtocol.h"
#include "isolation/LineChannel.h"
#include "plugins/PluginLoader.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Path.h>

#include <malloc.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>

namespace watchdog {

namespace {

/// Where CheckProcess puts the socket.
constexpr int channelFd = 3;

/// Called when operator new cannot get memory: under isolate_memory that is the limit. Says so on
/// the socket (the leading newline ends any line a plugin thread was writing) and exits at once:
/// unwinding a bad_alloc through a plugin may allocate again or abort with a less useful story.
void onMemoryExhausted() {
    static const char marker[] = "\n{\"memory_limit\":true}\n";
    [[maybe_unused]] const ssize_t sent = ::send(channelFd, marker, sizeof marker - 1, MSG_NOSIGNAL);
    ::_exit(1);
}

/// A check process whose daemon is gone (killed with SIGKILL, crashed) ends too, even in a run that
/// never returns; a small thread watches for being handed to another parent.
void* watchParent(void* parent) {
    const pid_t daemon = static_cast<pid_t>(reinterpret_cast<intptr_t>(parent));
    while (true) {
        ::usleep(200 * 1000);
        if (::getppid() != daemon) ::_exit(0);
    }
    return nullptr;
}

void startParentWatch() {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    pthread_create(&thread, &attr, watchParent, reinterpret_cast<void*>(static_cast<intptr_t>(::getppid())));
    pthread_attr_destroy(&attr);
}

/// The address space this process holds now (VmSize).
unsigned long long addressSpaceBytes() {
    unsigned long long pages = 0;
    if (std::FILE* statm = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(statm, "%llu", &pages) != 1) pages = 0;
        std::fclose(statm);
    }
    return pages * static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE));
}

/// The plugin's log messages, sent to the daemon, which writes them to its own log.
class ForwardingChannel : public Poco::Channel {
public:
    explicit ForwardingChannel(LineChannel& to) : to_(to) {}

    void log(const Poco::Message& message) override {
        Poco::JSON::Object::Ptr log = new Poco::JSON::Object;
        log->set("source", message.getSource());
        log->set("priority", static_cast<int>(message.getPriority()));
        log->set("text", printable(message.getText(), 4096));
        Poco::JSON::Object line;
        line.set("log", log);
        to_.send(toLine(line));
    }

private:
    LineChannel& to_;
};

std::string setupError(const std::string& why) {
    Poco::JSON::Object o;
    o.set("setup_error", printable(why, 2048));
    return toLine(o);
}

}  // namespace

int runCheckRunner() {
    startParentWatch();
    // Never destroyed: loggers (of the plugin too, up to the last static destructor) write to it.
    LineChannel& channel = *new LineChannel(channelFd);
    std::string line;
    if (channel.receive(line, LineChannel::Deadline::max(), {}, 4 * maxRunnerLineBytes) != LineChannel::Read::Line) return 1;

    RunnerSetup setup;
    std::unique_ptr<PluginLoader> loader;
    std::unique_ptr<Check> check;
    try {
        setup = readSetup(*parseLine(line));
        Poco::AutoPtr<Poco::Channel> forward(new ForwardingChannel(channel));
        // Loggers made later copy the root's channel and level; those made already are set too.
        Poco::Logger::root().setChannel(forward);
        Poco::Logger::root().setLevel(setup.logLevel);
        Poco::Logger::setChannel("", forward);
        Poco::Logger::setLevel("", setup.logLevel);
        // The plugin's own folder first, under the file's name: the very file the daemon validated.
        const Poco::Path library(setup.library);
        loader = std::make_unique<PluginLoader>(std::vector<std::string>{library.parent().toString()});
        check = loader->createCheck(library.getBaseName());
        check->configure(Options(setup.block, setup.where, setup.baseDirectory));
    } catch (const std::exception& e) {
        channel.send(setupError(e.what()));
        return 1;
    } catch (...) {
        channel.send(setupError("the plugin threw a non-standard exception"));
        return 1;
    }

    if (setup.memoryLimit > 0) {
        // One malloc arena: each further one reserves 64 MiB of address space that the limit counts.
        ::mallopt(M_ARENA_MAX, 1);
        // isolate_memory is what a run may take on top of the loaded plugin: its libraries alone
        // range from 20 MiB (a plain check) to 200 MiB (FFmpeg's), which says nothing about a leak.
        const rlim_t total = static_cast<rlim_t>(addressSpaceBytes() + setup.memoryLimit);
        const rlimit limit{total, total};
        if (::setrlimit(RLIMIT_AS, &limit) != 0) {
            channel.send(setupError(std::string("cannot set the memory limit: ") + std::strerror(errno)));
            return 1;
        }
        std::set_new_handler(onMemoryExhausted);
    }
    Poco::JSON::Object ready;
    ready.set("ready", true);
    if (!channel.send(toLine(ready))) return 0;

    while (channel.receive(line, LineChannel::Deadline::max(), {}, maxRunnerLineBytes) == LineChannel::Read::Line) {
        if (line.empty()) continue;
        std::optional<CheckContext> context;
        try {
            context = readRun(*parseLine(line));
        } catch (const std::exception&) {
            return 1;
        }
        // Never cancelled here: at the timeout the daemon kills this process instead.
        const Result result = runCheckSafely(*check, *context);
        if (!channel.send(resultLine(result))) return 0;
    }
    return 0;
}

}  // namespace watchdog
