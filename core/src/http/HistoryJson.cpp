#include "http/HistoryJson.h"

#include "history/RecordJson.h"
#include <watchdog/Duration.h>

#include "http/TextEscaping.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <sstream>

namespace watchdog {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t defaultLimit = 5000;
constexpr std::size_t maxLimit = 100000;

}  // namespace

HistoryQuery parseHistoryQuery(const std::string& rawQuery, TimePoint now) {
    HistoryQuery query;
    query.since = now - std::chrono::hours(1);
    query.limit = defaultLimit;
    Poco::URI uri;
    try {
        uri.setRawQuery(rawQuery);
        for (const auto& [key, value] : uri.getQueryParameters()) {
            if (key == "since") {
                auto d = parseDuration(value);
                if (!d || d->count() <= 0) throw BadHistoryQuery("since: '" + value + "' is not a duration (use 15m, 1h, 2d)");
                query.since = now - *d;
            } else if (key == "check") {
                query.checkId = value;
            } else if (key == "limit") {
                char* end = nullptr;
                const unsigned long long n = std::strtoull(value.c_str(), &end, 10);
                if (value.empty() || *end != '\0' || n == 0 || value[0] == '-')
                    throw BadHistoryQuery("limit: '" + value + "' is not a positive whole number");
                query.limit = n > maxLimit ? maxLimit : static_cast<std::size_t>(n);
            } else {
                throw BadHistoryQuery("unknown parameter '" + key + "' (use since, check, limit)");
            }
        }
    } catch (const Poco::SyntaxException&) {
        throw BadHistoryQuery("the query string is not URL-encoded properly");
    }
    return query;
}

std::string renderHistoryJson(const std::vector<Record>& records) {
    Array::Ptr list = new Array;
    for (const auto& r : records) list->add(recordToJson(r));
    Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    root->set("records", list);
    std::ostringstream out;
    root->stringify(out);
    return escapeJsonText(out.str());
}

}  // namespace watchdog
