// How much the aws_start pieces cost: SigV4 signing, DescribeInstances XML parsing, and a signed
// round trip to FakeEc2 on loopback (signing + HTTP + the fake's verification + parsing).
#include "Ec2Client.h"
#include "Ec2Xml.h"
#include "SigV4Signer.h"

#include "FakeEc2.h"

#include <chrono>
#include <cstdio>
#include <functional>

namespace {

void measure(const char* name, int iterations, const std::function<void()>& body) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) body();
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-44s %8d runs  %10.2f us/op  %10.0f ops/s\n", name, iterations, us / iterations, iterations * 1e6 / us);
}

}  // namespace

int main() {
    using namespace watchdog::aws;
    SigningRequest request;
    request.body = "Action=StartInstances&Version=2016-11-15&InstanceId.1=i-1234567890abcdef0";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"Host", "ec2.us-east-1.amazonaws.com"},
                       {"X-Amz-Date", "20150830T123600Z"}};
    const SigningScope scope{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "ec2", "20150830T123600Z"};
    std::size_t sink = 0;
    measure("SigV4 sign (StartInstances body)", 20000, [&] { sink += sign(request, scope).signature.size(); });

    watchdog::test::FakeEc2 ec2("us-east-1");
    ec2.addCredentials("AKIABENCH", "bench-secret");
    ec2.addInstance("i-1234567890abcdef0", "running");
    Ec2Client client({ec2.url(), "us-east-1", std::chrono::milliseconds(5000), 1, std::chrono::milliseconds(10)});
    const AwsCredentials creds{"AKIABENCH", "bench-secret", "", "bench", std::nullopt};
    const auto reply = client.call("DescribeInstances", {{"InstanceId.1", "i-1234567890abcdef0"}}, creds, {});
    measure("parse DescribeInstancesResponse", 5000, [&] { sink += parseDescribeInstances(reply.body).size(); });
    measure("signed DescribeInstances round trip (FakeEc2)", 500, [&] {
        sink += client.call("DescribeInstances", {{"InstanceId.1", "i-1234567890abcdef0"}}, creds, {}).body.size();
    });
    std::printf("(checksum %zu, reply %zu bytes)\n", sink, reply.body.size());
    return reply.ok() ? 0 : 1;
}
