#include "ProcReader.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace watchdog::process_cpu {

namespace {

// A /proc file read whole ("" if it cannot be opened): a few reads into a stack buffer, no stream.
std::string slurp(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string out;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
}

}  // namespace

std::optional<ProcStat> parseProcStat(const std::string& text) {
    // proc(5): "pid (comm) state ppid ...": comm is free text, so split at the LAST ')'.
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
    ProcStat st;
    try {
        std::size_t used = 0;
        st.pid = std::stoi(text.substr(0, open), &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    st.comm = text.substr(open + 1, close - open - 1);
    std::istringstream rest(text.substr(close + 1));
    std::vector<std::string> fields;  // fields[0] is field 3 (state)
    std::string f;
    while (rest >> f && fields.size() < 20) fields.push_back(f);
    if (fields.size() < 20) return std::nullopt;
    st.state = fields[0].empty() ? '?' : fields[0][0];
    try {
        st.utime = std::stoull(fields[11]);
        st.stime = std::stoull(fields[12]);
        st.startTime = std::stoull(fields[19]);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return st;
}

std::optional<ProcStat> readProcStat(int pid, const std::string& procRoot) {
    std::string text = slurp(procRoot + "/" + std::to_string(pid) + "/stat");
    if (text.empty()) return std::nullopt;
    auto st = parseProcStat(text);
    if (st && (st->state == 'Z' || st->state == 'X')) return std::nullopt;
    return st;
}

std::map<int, unsigned long long> readThreadRuntimes(int pid, const std::string& procRoot) {
    std::map<int, unsigned long long> runtimes;
    const std::string tasks = procRoot + "/" + std::to_string(pid) + "/task";
    DIR* dir = ::opendir(tasks.c_str());
    if (dir == nullptr) return runtimes;
    while (const dirent* e = ::readdir(dir)) {
        if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
        const std::string text = slurp(tasks + "/" + e->d_name + "/schedstat");
        char* end = nullptr;
        const unsigned long long ns = std::strtoull(text.c_str(), &end, 10);
        if (end != text.c_str()) runtimes[std::atoi(e->d_name)] = ns;  // a thread gone since readdir is left out
    }
    ::closedir(dir);
    return runtimes;
}

std::string readCmdline(int pid, const std::string& procRoot) {
    std::string text = slurp(procRoot + "/" + std::to_string(pid) + "/cmdline");
    while (!text.empty() && text.back() == '\0') text.pop_back();
    for (char& c : text)
        if (c == '\0') c = ' ';
    return text;
}

std::vector<int> findProcesses(const std::function<bool(int, const std::string&)>& matches, const std::string& procRoot) {
    std::vector<int> pids;
    DIR* dir = ::opendir(procRoot.c_str());
    if (dir == nullptr) return pids;
    const int self = static_cast<int>(::getpid());
    while (const dirent* e = ::readdir(dir)) {
        const char* name = e->d_name;
        if (!std::isdigit(static_cast<unsigned char>(name[0]))) continue;
        int pid = std::atoi(name);
        if (pid == self) continue;
        std::string comm = slurp(procRoot + "/" + name + "/comm");
        if (comm.empty()) continue;  // exited meanwhile
        if (comm.back() == '\n') comm.pop_back();
        if (matches(pid, comm)) pids.push_back(pid);
    }
    ::closedir(dir);
    std::sort(pids.begin(), pids.end());
    return pids;
}

double cpuSecondsBetween(const CpuUse& before, const CpuUse& after) {
    bool threadsKept = !before.threadNs.empty() && !after.threadNs.empty();
    for (const auto& entry : before.threadNs) threadsKept = threadsKept && after.threadNs.count(entry.first) > 0;
    if (threadsKept) {
        unsigned long long ns = 0;
        for (const auto& [tid, now] : after.threadNs) {
            const auto was = before.threadNs.find(tid);
            const unsigned long long from = was == before.threadNs.end() ? 0 : was->second;  // a new thread: all of it
            ns += now >= from ? now - from : 0;
        }
        return static_cast<double>(ns) / 1e9;
    }
    // A thread that ended took its run time with it; the process's ticks still count it.
    const unsigned long long ticks = after.ticks >= before.ticks ? after.ticks - before.ticks : 0;
    return static_cast<double>(ticks) / static_cast<double>(clockTicksPerSecond());
}

long clockTicksPerSecond() {
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    return ticks > 0 ? ticks : 100;
}

}  // namespace watchdog::process_cpu
