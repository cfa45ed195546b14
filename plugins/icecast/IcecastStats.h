#pragma once

// The parts of Icecast 2.4's /admin/stats XML the check uses (reference: protocols.md section 1.3).

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace watchdog::icecast {

/// One <source mount="..."> element of /admin/stats.
struct IcecastMount {
    std::string mount;           ///< e.g. "/live"
    bool connected = false;      ///< a source client is attached (source_ip or stream_start present)
    std::string listeners;       ///< <listeners>, "" if absent
    std::string bitrate;         ///< <bitrate>, else <ice-bitrate>, else <audio_bitrate>; "" if absent
    std::string audioInfo;       ///< <audio_info> as sent (URL-encoded), "" if absent
    std::string serverType;      ///< <server_type> (MIME type), "" if absent
    std::string streamStart;     ///< <stream_start_iso8601>, else <stream_start>; "" if absent
    std::string sourceIp;        ///< <source_ip>, "" if absent
    std::string totalBytesRead;  ///< <total_bytes_read>, "" if absent
};

/// What /admin/stats says about the server and its mounts.
struct IcecastStats {
    std::optional<int> globalSources;  ///< <sources> (Icecast's own count), if present and numeric
    std::string serverId;              ///< <server_id>, e.g. "Icecast 2.4.4"
    std::vector<IcecastMount> mounts;  ///< every <source> element, in document order

    /// The mounts that have a source connected.
    std::vector<const IcecastMount*> connected() const;
    /// The mount with this name, or nullptr.
    const IcecastMount* find(const std::string& mount) const;
};

/// Deepest element nesting the parser accepts; Icecast's own stats nest 3 levels.
inline constexpr int kMaxStatsXmlDepth = 64;

/// The body is not usable stats XML; what() is a short reason for a person ("not XML: ...").
class IcecastStatsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses an /admin/stats body without building a DOM; throws IcecastStatsError for an empty,
/// non-XML, truncated, wrong-root or too deeply nested body.
IcecastStats parseIcecastStats(const std::string& body);

}  // namespace watchdog::icecast
