#include "ProcReader.h"

#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace watchdog::process_cpu {

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
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

long clockTicksPerSecond() {
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    return ticks > 0 ? ticks : 100;
}

}  // namespace watchdog::process_cpu
