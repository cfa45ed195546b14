#include "migrate/BackupAction.h"

#include "migrate/YamlText.h"

#include <cstdlib>

namespace watchdog {

namespace {

bool hasValue(const EnvEntry* e) { return e != nullptr && !e->value.empty(); }

/// The .env's value when it has one, else migrate-env's own environment (HOME, AWS_* set in the shell).
VariableLookup envThenProcess(const Migration& m) {
    return [&m](const std::string& name) -> std::optional<std::string> {
        if (const EnvEntry* e = m.env().find(name); hasValue(e)) return e->value;
        if (const char* v = std::getenv(name.c_str())) return std::string(v);
        return std::nullopt;
    };
}

std::string describeSource(const Migration& m, const std::string& source) {
    if (source != "AWS_REGION" && source != "AWS_DEFAULT_REGION") return source;
    return hasValue(m.env().find(source)) ? source + " in the .env" : source + " in migrate-env's environment";
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : "; ") + i;
    return out;
}

std::string regionLines(Migration& m, const RegionFinder& findRegion, const EnvEntry* region, const EnvEntry* defaultRegion) {
    const RegionFinding found = findRegion ? findRegion(envThenProcess(m)) : RegionFinding{};
    if (found.region) {
        std::string y;
        if (found.source == "AWS_REGION") y += Migration::commentsOf(region, 4);
        if (found.source == "AWS_DEFAULT_REGION") y += Migration::commentsOf(defaultRegion, 4);
        return y + "    region: " + yamlLiteral(*found.region) + "   # from " + describeSource(m, found.source) + "\n";
    }
    m.inform("no AWS region found for actions.backup (looked in " + joined(found.lookedIn) +
             "): aws_start looks again in AWS_REGION, AWS_DEFAULT_REGION, the AWS profile and the instance metadata when it "
             "starts; add region: to actions.backup to fix it");
    return yamlComment("region: none found when migrating; aws_start looks again when it starts", 4);
}

}  // namespace

RegionFinding regionFromVariables(const VariableLookup& lookup) {
    RegionFinding found;
    for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
        const auto value = lookup ? lookup(name) : std::nullopt;
        if (value && !value->empty()) {
            found.region = *value;
            found.source = name;
            return found;
        }
        found.lookedIn.push_back(std::string(name) + (value ? ": empty" : ": not set"));
    }
    return found;
}

Section backupAction(Migration& m, const RegionFinder& findRegion) {
    Section s;
    const EnvEntry* id = m.require({"AWS_BACKUP_INSTANCE_ID"}, "no backup action (nothing is started on failover)");
    const EnvEntry* region = m.take({"AWS_REGION"});
    const EnvEntry* defaultRegion = m.take({"AWS_DEFAULT_REGION"});
    const EnvEntry* profile = m.take({"AWS_PROFILE"});
    const EnvEntry* configFile = m.take({"AWS_CONFIG_FILE"});
    const EnvEntry* credentialsFile = m.take({"AWS_SHARED_CREDENTIALS_FILE"});
    const EnvEntry* keyId = m.take({"AWS_ACCESS_KEY_ID"});
    const EnvEntry* secret = m.take({"AWS_SECRET_ACCESS_KEY"});
    const EnvEntry* token = m.take({"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"});
    if (id == nullptr) return s;
    s.ids.push_back("backup");
    s.yaml += "  backup:\n    plugin: aws_start\n";
    s.yaml += Migration::commentsOf(id, 4) + "    instance_id: " + reference(id) + "\n";
    s.yaml += regionLines(m, findRegion, region, defaultRegion);
    if (hasValue(profile)) s.yaml += Migration::commentsOf(profile, 4) + "    profile: " + yamlLiteral(profile->value) + "\n";
    if (hasValue(configFile)) s.yaml += Migration::commentsOf(configFile, 4) + "    config_file: " + yamlLiteral(configFile->value) + "\n";
    if (hasValue(credentialsFile))
        s.yaml += Migration::commentsOf(credentialsFile, 4) + "    credentials_file: " + yamlLiteral(credentialsFile->value) + "\n";
    if (hasValue(keyId) && hasValue(secret)) {
        s.yaml += Migration::commentsOf(keyId, 4) + "    access_key_id: " + reference(keyId) + "\n";
        s.yaml += Migration::commentsOf(secret, 4) + "    secret_access_key: " + reference(secret) + "\n";
        if (hasValue(token)) s.yaml += Migration::commentsOf(token, 4) + "    session_token: " + reference(token) + "\n";
    } else if (hasValue(keyId) != hasValue(secret)) {
        m.unmapped("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together; only one is set, so neither was used");
    }
    return s;
}

}  // namespace watchdog
