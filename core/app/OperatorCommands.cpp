// The operator's verbs: `maintenance` and `ack`. They go to the running daemon through its status
// server (POST /maintenance, POST /ack, with the pipeline's token); when nothing listens there, the
// request is recorded in the state file and the daemon applies it at its next start.
#include "Commands.h"
#include "Logging.h"

#include "config/Pipeline.h"
#include "engine/StateFile.h"
#include <watchdog/ConfigError.h>
#include <watchdog/Duration.h>
#include <watchdog/HumanFormat.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

namespace watchdog {

namespace {

/// How the daemon answered, or that nobody listens.
struct DaemonAnswer {
    bool listening = false;
    int status = 0;
    std::string body;
};

std::string who() {
    for (const char* name : {"SUDO_USER", "USER", "LOGNAME"})
        if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
    return "unknown";
}

// A server bound to every address is reached on loopback.
std::string connectHost(const std::string& host) {
    if (host == "0.0.0.0") return "127.0.0.1";
    if (host == "::" || host == "[::]") return "::1";
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

std::string baseUrl(const HttpSettings& http) {
    const std::string host = connectHost(http.host);
    return "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(http.port);
}

DaemonAnswer post(const HttpSettings& http, const std::string& path, const std::string& body) {
    DaemonAnswer answer;
    Poco::Net::HTTPClientSession session(connectHost(http.host), static_cast<Poco::UInt16>(http.port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    if (!http.token.empty()) request.set("Authorization", "Bearer " + http.token);
    try {
        session.sendRequest(request) << body;
    } catch (const Poco::Net::ConnectionRefusedException&) {
        return answer;
    }
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    answer.listening = true;
    answer.status = response.getStatus();
    Poco::StreamCopier::copyToString(in, answer.body);
    return answer;
}

std::string errorOf(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        auto o = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        return o->optValue<std::string>("error", body);
    } catch (const std::exception&) {
        return body;
    }
}

std::string json(const Poco::JSON::Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

/// The pipeline, or nullopt after printing its problems.
std::optional<Pipeline> readForVerb(const CommandLine& cmd, const char* verb) {
    try {
        return loadPipeline(cmd.args.front());
    } catch (const ConfigErrors& e) {
        for (const auto& one : e.errors()) std::cerr << one.what() << '\n';
    } catch (const ConfigError& e) {
        std::cerr << e.what() << '\n';
    } catch (const std::exception& e) {
        std::cerr << verb << ": " << e.what() << '\n';
    }
    return std::nullopt;
}

bool hasCheck(const Pipeline& p, const std::string& id) {
    return std::any_of(p.checks.begin(), p.checks.end(), [&](const CheckBlock& c) { return c.id == id; });
}

bool hasConditionRule(const Pipeline& p, const std::string& id) {
    return std::any_of(p.rules.begin(), p.rules.end(),
                       [&](const RuleSpec& r) { return r.id == id && r.trigger == RuleSpec::Trigger::Condition; });
}

/// Sends the request to the daemon; 0 done, 1 refused, 2 nobody listens (record it instead).
int tellDaemon(const Pipeline& p, const std::string& path, const std::string& body, const char* verb, std::string& reply) {
    if (!p.http.enabled) return 2;
    const std::string url = baseUrl(p.http);
    DaemonAnswer answer;
    try {
        answer = post(p.http, path, body);
    } catch (const Poco::Exception& e) {
        std::cerr << verb << ": the watchdog at " << url << " did not answer (" << e.displayText() << "); nothing recorded, try again\n";
        return 1;
    }
    if (!answer.listening) return 2;
    if (answer.status != 200) {
        std::cerr << verb << ": the running watchdog at " << url << " refused (" << answer.status << "): " << errorOf(answer.body) << '\n';
        return 1;
    }
    reply = answer.body;
    std::cout << "told the running watchdog at " << url << "/";
    return 0;
}

/// Appends `request` to the state file's queue for the next start.
int recordForNextStart(const Pipeline& p, const QueuedRequest& request, const char* verb, const std::string& what) {
    StateFile file(p.stateFile);
    std::string warning;
    SavedState state = file.load(p.name, warning);
    if (!warning.empty()) {
        std::cerr << verb << ": " << warning << "; nothing recorded\n";
        return kExitRuntime;
    }
    state.requests.push_back(request);
    try {
        file.save(state);
    } catch (const std::exception& e) {
        std::cerr << verb << ": " << e.what() << '\n';
        return kExitRuntime;
    }
    if (p.http.enabled)
        std::cout << "no watchdog is running (nothing answers at " << baseUrl(p.http) << "); recorded in " << p.stateFile
                  << ", applied at next start: " << what << '\n';
    else  // nothing to ask: a watchdog running without a status server would overwrite the state file
        std::cout << "no watchdog can be asked (the pipeline has no http: section); recorded in " << p.stateFile
                  << ", applied at next start: " << what << " (a watchdog running now does not see it: add http: to reach it)\n";
    return kExitOk;
}

// 1h, 90m, 2d look like options to nobody, but -1h does: it reaches Poco's parser as "-1 -h".
bool looksLikeNegativeLength(const char* arg) { return arg[0] == '-' && std::isdigit(static_cast<unsigned char>(arg[1])) != 0; }

}  // namespace

int refuseNegativeLength(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "maintenance") != 0) return -1;
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--reason") == 0 || std::strcmp(argv[i], "--check") == 0 || std::strcmp(argv[i], "--rule") == 0) {
            ++i;
            continue;
        }
        if (looksLikeNegativeLength(argv[i])) {
            std::cerr << "maintenance: '" << argv[i] << "' is negative: a maintenance lasts from 1s up to "
                      << formatDuration(maxMaintenance) << " (e.g. 30m, 1h, 2d)\n";
            return kExitUsage;
        }
    }
    return -1;
}

int startOrEndMaintenance(const CommandLine& cmd) {
    configureConsoleLogging("warning");
    const std::size_t want = cmd.end ? 1 : 2;
    if (cmd.words.size() != want) {
        std::cerr << "maintenance: give the pipeline and a duration (maintenance pipeline.yaml 1h [--check ID|--rule ID] "
                     "[--reason TEXT]), or the pipeline and --end\n";
        return kExitUsage;
    }
    if (!cmd.check.empty() && !cmd.rule.empty()) {
        std::cerr << "maintenance: give either --check or --rule, not both\n";
        return kExitUsage;
    }
    MaintenanceRequest request;
    request.end = cmd.end;
    request.reason = cmd.reason;
    request.by = who();
    request.at = std::chrono::system_clock::now();
    if (!cmd.check.empty()) request.scope = MaintenanceScope::Check, request.id = cmd.check;
    if (!cmd.rule.empty()) request.scope = MaintenanceScope::Rule, request.id = cmd.rule;
    if (!cmd.end) {
        try {
            request.length = parseMaintenanceLength(cmd.words[1]);
        } catch (const std::invalid_argument& e) {
            std::cerr << "maintenance: " << e.what() << '\n';
            return kExitUsage;
        }
    }
    auto pipeline = readForVerb(cmd, "maintenance");
    if (!pipeline) return kExitFailing;
    if (!cmd.check.empty() && !hasCheck(*pipeline, cmd.check)) {
        std::cerr << "maintenance: " << cmd.args.front() << " has no check called '" << cmd.check << "'\n";
        return kExitUsage;
    }
    if (!cmd.rule.empty() && !hasConditionRule(*pipeline, cmd.rule)) {
        std::cerr << "maintenance: " << cmd.args.front() << " has no condition rule called '" << cmd.rule << "'\n";
        return kExitUsage;
    }
    MaintenanceWindow what{request.scope, request.id, {}, {}, {}, {}, {}};
    const std::string summary = request.end ? "maintenance of " + what.describe() + " ends"
                                            : "maintenance of " + what.describe() + " for " + human::duration(request.length) + " (until " +
                                                  toLocalSeconds(request.at + request.length) + ")";
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    if (request.end)
        body.set("end", true);
    else
        body.set("duration", cmd.words[1]);
    if (!cmd.check.empty()) body.set("check", cmd.check);
    if (!cmd.rule.empty()) body.set("rule", cmd.rule);
    if (!cmd.reason.empty()) body.set("reason", cmd.reason);
    body.set("by", request.by);
    std::string reply;
    const int told = tellDaemon(*pipeline, "/maintenance", json(body), "maintenance", reply);
    if (told == 0) {
        std::cout << ": " << summary << '\n';
        return kExitOk;
    }
    if (told == 1) return kExitRuntime;
    if (request.end) {
        StateFile file(pipeline->stateFile);
        std::string warning;
        const SavedState state = file.load(pipeline->name, warning);
        const bool inForce = std::any_of(state.maintenance.begin(), state.maintenance.end(), [&](const MaintenanceWindow& w) {
            return w.scope == request.scope && w.id == request.id && w.until > request.at;
        });
        const bool queued = std::any_of(state.requests.begin(), state.requests.end(), [&](const QueuedRequest& q) {
            return q.kind == QueuedRequest::Kind::Maintenance && !q.maintenance.end && q.maintenance.scope == request.scope &&
                   q.maintenance.id == request.id;
        });
        if (!inForce && !queued) {
            std::cerr << "maintenance: no watchdog is running and " << pipeline->stateFile << " holds no maintenance of " << what.describe()
                      << " to end\n";
            return kExitRuntime;
        }
    }
    QueuedRequest queued;
    queued.kind = QueuedRequest::Kind::Maintenance;
    queued.maintenance = request;
    return recordForNextStart(*pipeline, queued, "maintenance", summary);
}

int acknowledgeIncident(const CommandLine& cmd) {
    configureConsoleLogging("warning");
    if (cmd.words.empty() || cmd.words.size() > 2) {
        std::cerr << "ack: give the pipeline and optionally the rule (ack pipeline.yaml [RULE] [--reason TEXT])\n";
        return kExitUsage;
    }
    auto pipeline = readForVerb(cmd, "ack");
    if (!pipeline) return kExitFailing;
    AckRequest request{cmd.words.size() == 2 ? cmd.words[1] : "", cmd.reason, who(), std::chrono::system_clock::now()};
    if (!request.rule.empty() && !hasConditionRule(*pipeline, request.rule)) {
        std::cerr << "ack: " << cmd.args.front() << " has no condition rule called '" << request.rule << "'\n";
        return kExitUsage;
    }
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    if (!request.rule.empty()) body.set("rule", request.rule);
    if (!request.reason.empty()) body.set("reason", request.reason);
    body.set("by", request.by);
    std::string reply;
    const int told = tellDaemon(*pipeline, "/ack", json(body), "ack", reply);
    if (told == 0) {
        std::string incident;
        try {
            Poco::JSON::Parser parser;
            incident = parser.parse(reply).extract<Poco::JSON::Object::Ptr>()->optValue<std::string>("incident", "");
        } catch (const std::exception&) {
        }
        std::cout << ": incident " << incident << " acknowledged by " << request.by << '\n';
        return kExitOk;
    }
    if (told == 1) return kExitRuntime;
    StateFile file(pipeline->stateFile);
    std::string warning;
    const SavedState state = file.load(pipeline->name, warning);
    std::vector<std::string> open;
    for (const auto& [id, rule] : state.rules)
        if (rule.phase != RulePhase::Idle && (request.rule.empty() || request.rule == id)) open.push_back(id);
    if (open.empty()) {
        std::cerr << "ack: no watchdog is running and " << pipeline->stateFile << " holds no open incident"
                  << (request.rule.empty() ? "" : " of rule " + request.rule) << " to acknowledge\n";
        return kExitRuntime;
    }
    if (open.size() > 1) {
        std::string ids;
        for (const auto& id : open) ids += (ids.empty() ? "" : ", ") + id;
        std::cerr << "ack: incidents of " << ids << " are open: name the rule to acknowledge\n";
        return kExitUsage;
    }
    QueuedRequest queued;
    queued.kind = QueuedRequest::Kind::Ack;
    queued.ack = request;
    queued.ack.rule = open.front();
    return recordForNextStart(*pipeline, queued, "ack",
                              "incident " + state.rules.at(open.front()).incident + " acknowledged by " + request.by);
}

}  // namespace watchdog
