#include "plugins/PluginLoader.h"

#include <dlfcn.h>

#include "common/Spelling.h"
#include "watchdog/Abi.h"

#include <Poco/Exception.h>
#include <Poco/SharedLibrary.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <set>

namespace watchdog {

namespace {

const char* const kAbiSymbol = "watchdogPluginAbiVersion";
const char* const kKindSymbol = "watchdogPluginKind";

bool isFile(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string executableDirectory() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string exe(buf, static_cast<std::size_t>(n));
    return exe.substr(0, exe.rfind('/'));
}

std::string article(const std::string& kind) { return kind == "action" ? "an action" : "a " + kind; }

}  // namespace

PluginLoader::PluginLoader(std::vector<std::string> searchPath) : searchPath_(std::move(searchPath)) {
    for (const auto& dir : defaultSearchPath())
        if (std::find(searchPath_.begin(), searchPath_.end(), dir) == searchPath_.end()) searchPath_.push_back(dir);
}

std::vector<std::string> PluginLoader::defaultSearchPath() {
    std::vector<std::string> dirs;
    std::string exeDir = executableDirectory();
    if (!exeDir.empty()) dirs.push_back(exeDir + "/" + WATCHDOG_RELATIVE_PLUGIN_DIR);
    dirs.push_back(WATCHDOG_INSTALL_PLUGIN_DIR);
    return dirs;
}

std::string PluginLoader::find(const std::string& name) const {
    if (name.find('/') != std::string::npos) {
        if (isFile(name)) return name;
        throw PluginError(name + ": plugin file not found");
    }
    for (const auto& dir : searchPath_) {
        std::string candidate = dir + "/" + name + Poco::SharedLibrary::suffix();
        if (isFile(candidate)) return candidate;
    }
    std::vector<std::string> names;
    for (const auto& info : list()) names.push_back(info.name);
    std::string where;
    for (const auto& dir : searchPath_) where += (where.empty() ? "" : ", ") + dir;
    throw PluginError("plugin '" + name + "' not found" + didYouMean(name, names) + " (looked for " + name +
                      Poco::SharedLibrary::suffix() + " in " + where + ")");
}

namespace {

/// dlopen with immediate binding: a missing symbol fails here with its name, not at the first call.
class ProbeHandle {
public:
    explicit ProbeHandle(const std::string& path) : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        if (handle_ == nullptr) {
            const char* why = dlerror();
            throw PluginError(path + ": cannot load: " + (why != nullptr ? why : "unknown dlopen error"));
        }
    }
    ~ProbeHandle() { dlclose(handle_); }
    ProbeHandle(const ProbeHandle&) = delete;
    ProbeHandle& operator=(const ProbeHandle&) = delete;
    void* symbol(const char* name) const { return dlsym(handle_, name); }

private:
    void* handle_;
};

}  // namespace

PluginInfo PluginLoader::probe(const std::string& name, const std::string& path, const std::string& expectedKind) const {
    PluginInfo info{name, path, "", 0, ""};
    ProbeHandle lib(path);
    void* abi = lib.symbol(kAbiSymbol);
    if (abi == nullptr)
        throw PluginError(path + ": not an encoder-watchdog plugin (missing symbol " + kAbiSymbol +
                          "; end the source with WATCHDOG_CHECK_PLUGIN(Class) or its action/sink form)");
    info.abi = reinterpret_cast<int (*)()>(abi)();
    if (info.abi != WATCHDOG_ABI_VERSION)
        throw PluginError(path + ": built for plugin ABI " + std::to_string(info.abi) + ", this encoder-watchdog uses ABI " +
                          std::to_string(WATCHDOG_ABI_VERSION) + " (rebuild the plugin against this SDK)");
    void* kind = lib.symbol(kKindSymbol);
    if (kind == nullptr) throw PluginError(path + ": missing symbol " + kKindSymbol + " (use the WATCHDOG_*_PLUGIN macro)");
    info.kind = reinterpret_cast<const char* (*)()>(kind)();
    if (!expectedKind.empty() && info.kind != expectedKind)
        throw PluginError(path + ": is " + article(info.kind) + " plugin, but is used as " + article(expectedKind) +
                          " (move it under " + info.kind + "s:)");
    return info;
}

template <class Base>
std::unique_ptr<Base> PluginLoader::create(Poco::ClassLoader<Base>& loader, const std::string& name, const std::string& kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string path = find(name);
    probe(name, path, kind);
    const Poco::Manifest<Base>* manifest = nullptr;
    try {
        loader.loadLibrary(path);
        manifest = loader.findManifest(path);
    } catch (const Poco::LibraryLoadException& e) {
        const std::string msg = e.message();
        if (msg.find("No manifest") != std::string::npos)
            throw PluginError(path + ": has no plugin manifest (missing symbol pocoBuildManifest; register the class with a WATCHDOG_*_PLUGIN macro)");
        if (msg.find("mismatch") != std::string::npos)
            throw PluginError(path + ": its manifest exports another base class than watchdog::" +
                              (kind == "check" ? "Check" : kind == "action" ? "Action" : "Sink"));
        throw PluginError(path + ": cannot load: " + msg);
    } catch (const Poco::Exception& e) {
        throw PluginError(path + ": cannot load: " + e.displayText());
    }
    if (manifest == nullptr || manifest->size() == 0) throw PluginError(path + ": its manifest exports no class");
    try {
        return std::unique_ptr<Base>(manifest->begin()->create());
    } catch (const std::exception& e) {
        throw PluginError(path + ": creating the plugin's class failed: " + e.what());
    }
}

std::unique_ptr<Check> PluginLoader::createCheck(const std::string& name) { return create(checks_, name, "check"); }
std::unique_ptr<Action> PluginLoader::createAction(const std::string& name) { return create(actions_, name, "action"); }
std::unique_ptr<Sink> PluginLoader::createSink(const std::string& name) { return create(sinks_, name, "sink"); }

std::vector<PluginInfo> PluginLoader::list() const {
    std::vector<PluginInfo> out;
    std::set<std::string> seen;
    const std::string suffix = Poco::SharedLibrary::suffix();
    for (const auto& dir : searchPath_) {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) continue;
        std::vector<std::string> files;
        while (dirent* e = ::readdir(d)) {
            std::string f = e->d_name;
            if (f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) files.push_back(f);
        }
        ::closedir(d);
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            std::string name = f.substr(0, f.size() - suffix.size());
            if (!seen.insert(name).second) continue;
            try {
                out.push_back(probe(name, dir + "/" + f, ""));
            } catch (const PluginError& e) {
                out.push_back(PluginInfo{name, dir + "/" + f, "", 0, e.what()});
            }
        }
    }
    return out;
}

}  // namespace watchdog
