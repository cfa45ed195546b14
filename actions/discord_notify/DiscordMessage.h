#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace watchdog::discord_notify {

/// Discord's documented limits for a webhook message (protocols.md 2.2).
namespace limits {
constexpr std::size_t content = 2000;      ///< message content
constexpr std::size_t embeds = 10;         ///< embeds per message
constexpr std::size_t title = 256;         ///< embed title
constexpr std::size_t description = 4096;  ///< embed description
constexpr std::size_t fields = 25;         ///< fields per embed
constexpr std::size_t fieldName = 256;     ///< field name
constexpr std::size_t fieldValue = 1024;   ///< field value
constexpr std::size_t footer = 2048;       ///< footer text
constexpr std::size_t author = 256;        ///< author name
constexpr std::size_t total = 6000;        ///< title+description+field names/values+footer+author over all embeds
constexpr std::size_t username = 80;       ///< username override
}  // namespace limits

/// One embed field.
struct EmbedField {
    std::string name;      ///< bold heading (must not be empty)
    std::string value;     ///< text below it (must not be empty)
    bool inlined = false;  ///< shown side by side with its neighbours
};

/// One rich embed.
struct Embed {
    std::string title;               ///< bold first line
    std::string description;         ///< body text (markdown)
    std::optional<int> color;        ///< left bar colour, 0xRRGGBB
    std::string timestamp;           ///< ISO 8601 shown in the footer line ("" for none)
    std::string footer;              ///< small text at the bottom
    std::string author;              ///< small text at the top
    std::vector<EmbedField> fields;  ///< up to 25 fields
};

/// A webhook message before it becomes JSON.
struct Message {
    std::string content;                    ///< plain text above the embeds
    std::string username;                   ///< overrides the webhook's name ("" keeps it)
    std::string avatarUrl;                  ///< overrides the webhook's avatar ("" keeps it)
    std::vector<Embed> embeds;              ///< up to 10 embeds
    std::vector<std::string> mentionRoles;  ///< role ids allowed to ping; nothing else ever pings
};

/// Sum of the embed texts Discord counts towards its 6000 limit.
std::size_t embedTotal(const Message& message);

/// The message cut to every Discord limit: texts truncated with "…", surplus fields and embeds
/// replaced by a "… N more" note, empty field texts filled, an empty message given content.
Message fitToLimits(Message message);

/// The JSON body for the webhook (fitToLimits() applied first); always carries allowed_mentions.
std::string toJson(const Message& message);

}  // namespace watchdog::discord_notify
