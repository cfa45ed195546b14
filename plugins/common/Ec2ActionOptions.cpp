#include "Ec2ActionSettings.h"

namespace watchdog::aws {

const OptionTable& ec2ActionOptions() {
    static const OptionTable table{
        {"instance_id", "string", "", "required", "", "i-0123456789abcdef0", "`i-` and 8 or 17 hex digits, e.g. `i-0123456789abcdef0`"},
        {"region", "string", "", "found as the AWS CLI finds it (see [Region](../aws_start/README.md#region))", "", "eu-west-2",
         "e.g. `eu-west-2`"},
        {"endpoint", "URL", "", "`https://ec2.REGION.amazonaws.com` (`.com.cn` in China)", "", "http://127.0.0.1:4566",
         "another endpoint (VPC endpoint, test server); `http://` allowed"},
        {"access_key_id", "string", "", "", "", "AKIAIOSFODNN7EXAMPLE", "with `secret_access_key`; use `${VAR}`"},
        {"secret_access_key", "secret", "", "", "", "${AWS_SECRET_ACCESS_KEY}", "never logged"},
        {"session_token", "secret", "", "", "", "${AWS_SESSION_TOKEN}", "for temporary (`ASIA...`) keys; never logged"},
        {"profile", "string", "", "`AWS_PROFILE`, then `default`", "", "station",
         "profile in the shared files, for the region and the keys"},
        {"credentials_file", "path", "", "`AWS_SHARED_CREDENTIALS_FILE`, then `~/.aws/credentials`", "",
         "/etc/encoder-watchdog/aws-credentials", "relative to the pipeline file"},
        {"config_file", "path", "", "`AWS_CONFIG_FILE`, then `~/.aws/config`", "", "/etc/encoder-watchdog/aws-config",
         "relative to the pipeline file"},
        {"instance_role", "bool", "true", "", "", "false",
         "try the instance role through IMDSv2 last (`AWS_EC2_METADATA_DISABLED=true` also turns it off)"},
        {"imds_endpoint", "URL", "http://169.254.169.254", "", "", "http://[fd00:ec2::254]",
         "instance metadata service, for the region and the instance role (tests use a local one)"},
        {"imds_timeout", "duration", "1s", "", "", "2s",
         "one deadline for each metadata request, its whole answer included (botocore's default)"},
        {"request_timeout", "duration", "10s", "", "", "5s",
         "one deadline for each EC2 request: connecting, sending and the whole answer (`network error: no answer within 10 s`; retried like other network errors)"},
        {"attempts", "integer", "4", "", "1..10", "6", "tries per EC2 call for throttling, 5xx and network errors"},
        {"retry_backoff", "duration", "500ms", "", "", "1s", "first retry delay; doubles per retry, at most 20 s"},
        {"poll_interval", "duration", "5s", "", "", "10s", "how often to describe while waiting for `stopped`/`running`"},
        {"max_wait", "duration", "5m", "", "", "10m", "how long to wait in total for the instance to stop/run"},
    };
    return table;
}

}  // namespace watchdog::aws
