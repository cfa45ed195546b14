#include "FakeEc2.h"

#include "FakeEc2Auth.h"
#include "TestSupport.h"

#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <mutex>
#include <regex>
#include <set>

namespace watchdog::test {

namespace {

int stateCode(const std::string& state) {
    static const std::map<std::string, int> codes{{"pending", 0},     {"running", 16},  {"shutting-down", 32},
                                                  {"terminated", 48}, {"stopping", 64}, {"stopped", 80}};
    auto it = codes.find(state);
    return it == codes.end() ? -1 : it->second;
}

std::string uuid() { return Poco::UUIDGenerator::defaultGenerator().createRandom().toString(); }

struct Reply {
    int status = 200;
    std::string code;
    std::string body;
};

Reply error(int status, const std::string& code, const std::string& message) {
    return {status, code,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code + "</Code><Message>" + message +
                "</Message></Error></Errors><RequestID>" + uuid() + "</RequestID></Response>"};
}

}  // namespace

struct FakeEc2::State {
    struct Instance {
        std::string state;
        std::string publicIp;
        std::string privateIp;
        int ticks = 0;
    };
    std::string region;
    mutable std::mutex mutex;
    std::map<std::string, Instance> instances;
    std::vector<std::string> order;
    std::map<std::string, Ec2Key> keys;
    std::set<std::string> denied;
    int transitionDescribes = 2;
    int failCount = 0;
    int failStatus = 0;
    std::string failCode;
    std::string failAction;
    std::chrono::seconds clockOffset{0};
    std::vector<Ec2Call> calls;
    std::unique_ptr<LocalHttpServer> server;

    Reply authenticate(Poco::Net::HTTPServerRequest& req, const std::string& body, Ec2Call& call);
    Reply dispatch(const std::vector<std::pair<std::string, std::string>>& params, Ec2Call& call);
    Reply describe(const std::vector<std::string>& ids);
    Reply start(const std::vector<std::string>& ids);
    Reply stop(const std::vector<std::string>& ids);
    std::string instanceXml(const std::string& id, const Instance& i) const;
    void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp);
};

Reply FakeEc2::State::authenticate(Poco::Net::HTTPServerRequest& req, const std::string& body, Ec2Call& call) {
    const auto failure = verifyEc2Signature(req, body, keys, region, clockOffset, call.accessKeyId);
    return failure ? error(failure->status, failure->code, failure->message) : Reply{};
}

std::string FakeEc2::State::instanceXml(const std::string& id, const Instance& i) const {
    std::string x = "<item><instanceId>" + id +
                    "</instanceId><imageId>ami-0abcdef1234567890</imageId>"
                    "<instanceState><code>" +
                    std::to_string(stateCode(i.state)) + "</code><name>" + i.state + "</name></instanceState>";
    const bool running = i.state == "running";
    x += "<privateDnsName>" + std::string(i.state == "terminated" ? "" : "ip-10-0-0-7." + region + ".compute.internal") +
         "</privateDnsName><dnsName>" + std::string(running ? "ec2-203-0-113-7." + region + ".compute.amazonaws.com" : "") +
         "</dnsName><reason/><keyName>backup</keyName><amiLaunchIndex>0</amiLaunchIndex><productCodes/>"
         "<instanceType>t3.micro</instanceType><launchTime>2026-01-01T00:00:00.000Z</launchTime>"
         "<placement><availabilityZone>" +
         region +
         "a</availabilityZone><groupName/><tenancy>default</tenancy></placement>"
         "<monitoring><state>disabled</state></monitoring>";
    if (i.state != "terminated")
        x += "<subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId>"
             "<privateIpAddress>" +
             i.privateIp + "</privateIpAddress>";
    if (running && !i.publicIp.empty()) x += "<ipAddress>" + i.publicIp + "</ipAddress>";
    x += "<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>"
         "<blockDeviceMapping/><virtualizationType>hvm</virtualizationType><tagSet><item><key>Name</key><value>backup-encoder"
         "</value></item></tagSet><hypervisor>xen</hypervisor><networkInterfaceSet/><ebsOptimized>false</ebsOptimized></item>";
    return x;
}

Reply FakeEc2::State::describe(const std::vector<std::string>& ids) {
    const std::vector<std::string>& wanted = ids.empty() ? order : ids;
    std::string items;
    for (const auto& id : wanted) {
        Instance& i = instances.at(id);
        items +=
            "<item><reservationId>r-0123456789abcdef0</reservationId><ownerId>123456789012</ownerId><groupSet/>"
            "<instancesSet>" +
            instanceXml(id, i) + "</instancesSet></item>";
        static const std::map<std::string, std::string> next{
            {"pending", "running"}, {"stopping", "stopped"}, {"shutting-down", "terminated"}};
        auto n = next.find(i.state);
        if (n != next.end() && ++i.ticks >= transitionDescribes) {
            i.state = n->second;
            i.ticks = 0;
        }
    }
    return {200, "",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
            "<requestId>" +
                uuid() + "</requestId><reservationSet>" + items + "</reservationSet></DescribeInstancesResponse>"};
}

Reply FakeEc2::State::start(const std::vector<std::string>& ids) {
    if (ids.empty()) return error(400, "MissingParameter", "The request must contain the parameter InstanceId");
    for (const auto& id : ids) {
        const std::string& st = instances.at(id).state;
        if (st != "stopped" && st != "pending" && st != "running")
            return error(400, "IncorrectInstanceState", "The instance '" + id + "' is not in a state from which it can be started.");
    }
    std::string items;
    for (const auto& id : ids) {
        Instance& i = instances.at(id);
        const std::string before = i.state;
        if (i.state == "stopped") {
            i.state = "pending";
            i.ticks = 0;
        }
        items += "<item><instanceId>" + id + "</instanceId><currentState><code>" + std::to_string(stateCode(i.state)) + "</code><name>" +
                 i.state + "</name></currentState><previousState><code>" + std::to_string(stateCode(before)) + "</code><name>" + before +
                 "</name></previousState></item>";
    }
    return {200, "",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StartInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
            "<requestId>" +
                uuid() + "</requestId><instancesSet>" + items + "</instancesSet></StartInstancesResponse>"};
}

// As EC2 answers: a stopped or stopping instance stays so (success); pending or terminated ones
// cannot be stopped (IncorrectInstanceState).
Reply FakeEc2::State::stop(const std::vector<std::string>& ids) {
    if (ids.empty()) return error(400, "MissingParameter", "The request must contain the parameter InstanceId");
    for (const auto& id : ids) {
        const std::string& st = instances.at(id).state;
        if (st != "running" && st != "stopping" && st != "stopped")
            return error(400, "IncorrectInstanceState", "The instance '" + id + "' is not in a state from which it can be stopped.");
    }
    std::string items;
    for (const auto& id : ids) {
        Instance& i = instances.at(id);
        const std::string before = i.state;
        if (i.state == "running") {
            i.state = "stopping";
            i.ticks = 0;
        }
        items += "<item><instanceId>" + id + "</instanceId><currentState><code>" + std::to_string(stateCode(i.state)) + "</code><name>" +
                 i.state + "</name></currentState><previousState><code>" + std::to_string(stateCode(before)) + "</code><name>" + before +
                 "</name></previousState></item>";
    }
    return {200, "",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StopInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
            "<requestId>" +
                uuid() + "</requestId><instancesSet>" + items + "</instancesSet></StopInstancesResponse>"};
}

Reply FakeEc2::State::dispatch(const std::vector<std::pair<std::string, std::string>>& params, Ec2Call& call) {
    if (failCount > 0 && (failAction.empty() || failAction == call.action)) {
        --failCount;
        return error(failStatus, failCode,
                     failCode == "RequestLimitExceeded" ? "Request limit exceeded." : "An internal error has occurred");
    }
    if (call.params.count("Version") == 0) return error(400, "MissingParameter", "The request must contain the parameter Version");
    if (call.action != "DescribeInstances" && call.action != "StartInstances" && call.action != "StopInstances")
        return error(400, "InvalidAction", "The action " + call.action + " is not valid for this web service.");
    if (denied.count(call.action))
        return error(403, "UnauthorizedOperation",
                     "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/watchdog "
                     "is not authorized to perform: ec2:" +
                         call.action);
    if (call.dryRun()) return error(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");

    std::vector<std::pair<int, std::string>> numbered;
    static const std::regex idParam(R"(InstanceId\.(\d+))");
    for (const auto& [k, v] : params) {
        std::smatch m;
        if (std::regex_match(k, m, idParam)) numbered.emplace_back(std::stoi(m[1]), v);
    }
    std::sort(numbered.begin(), numbered.end());
    std::vector<std::string> ids, missing;
    static const std::regex idShape("i-([0-9a-f]{8}|[0-9a-f]{17})");
    for (const auto& [n, id] : numbered) {
        if (!std::regex_match(id, idShape)) return error(400, "InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
        if (!instances.count(id)) missing.push_back(id);
        ids.push_back(id);
    }
    if (missing.size() == 1) return error(400, "InvalidInstanceID.NotFound", "The instance ID '" + missing[0] + "' does not exist");
    if (!missing.empty()) {
        std::string list;
        for (const auto& id : missing) list += (list.empty() ? "" : ", ") + id;
        return error(400, "InvalidInstanceID.NotFound", "The instance IDs '" + list + "' do not exist");
    }
    if (call.action == "StopInstances") return stop(ids);
    return call.action == "DescribeInstances" ? describe(ids) : start(ids);
}

void FakeEc2::State::handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    if (req.getExpectContinue()) resp.sendContinue();
    std::string body;
    Poco::StreamCopier::copyToString(req.stream(), body);
    std::vector<std::pair<std::string, std::string>> params = splitFormPairs(Poco::URI(req.getURI()).getRawQuery());
    for (auto& p : splitFormPairs(body)) params.push_back(std::move(p));
    Ec2Call call;
    for (const auto& [k, v] : params) call.params[k] = v;
    call.action = call.params.count("Action") ? call.params["Action"] : "";

    Reply reply;
    {
        std::lock_guard<std::mutex> lock(mutex);
        reply = authenticate(req, body, call);
        if (reply.code.empty()) reply = dispatch(params, call);
        call.status = reply.status;
        call.errorCode = reply.code;
        calls.push_back(call);
    }
    resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    resp.setContentType("text/xml;charset=UTF-8");
    resp.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    resp.send() << reply.body;
}

FakeEc2::FakeEc2(std::string region) : region_(std::move(region)), state_(std::make_unique<State>()) {
    state_->region = region_;
    State* s = state_.get();
    state_->server = std::make_unique<LocalHttpServer>([s](auto& req, auto& resp) { s->handle(req, resp); });
}

FakeEc2::~FakeEc2() { state_->server.reset(); }

std::string FakeEc2::url() const { return state_->server->url(); }
int FakeEc2::port() const { return state_->server->port(); }

void FakeEc2::addCredentials(const std::string& accessKeyId, const std::string& secretAccessKey, const std::string& sessionToken) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->keys[accessKeyId] = {secretAccessKey, sessionToken};
}

void FakeEc2::addInstance(const std::string& instanceId, const std::string& state, const std::string& publicIp,
                          const std::string& privateIp) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!state_->instances.count(instanceId)) state_->order.push_back(instanceId);
    state_->instances[instanceId] = {state, publicIp, privateIp, 0};
}

void FakeEc2::setState(const std::string& instanceId, const std::string& state) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto& i = state_->instances.at(instanceId);
    i.state = state;
    i.ticks = 0;
}

std::string FakeEc2::state(const std::string& instanceId) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto it = state_->instances.find(instanceId);
    return it == state_->instances.end() ? "" : it->second.state;
}

void FakeEc2::setTransitionDescribes(int describes) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->transitionDescribes = std::max(1, describes);
}

void FakeEc2::deny(const std::string& action) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->denied.insert(action);
}

void FakeEc2::failNext(int count, int httpStatus, const std::string& code, const std::string& action) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->failCount = count;
    state_->failStatus = httpStatus;
    state_->failCode = code;
    state_->failAction = action;
}

void FakeEc2::setClockOffset(std::chrono::seconds offset) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->clockOffset = offset;
}

std::vector<Ec2Call> FakeEc2::calls() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->calls;
}

int FakeEc2::count(const std::string& action) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return static_cast<int>(
        std::count_if(state_->calls.begin(), state_->calls.end(), [&](const Ec2Call& c) { return c.action == action; }));
}

int FakeEc2::succeeded(const std::string& action) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return static_cast<int>(std::count_if(state_->calls.begin(), state_->calls.end(),
                                          [&](const Ec2Call& c) { return c.action == action && c.status == 200 && !c.dryRun(); }));
}

void FakeEc2::clearCalls() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->calls.clear();
}

}  // namespace watchdog::test
