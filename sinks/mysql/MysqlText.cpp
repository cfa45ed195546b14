#include "MysqlText.h"

namespace watchdog::mysql {

std::string validUtf8(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        unsigned char c = p[i];
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + len <= n && !(len == 2 && c < 0xC2) && !(len == 4 && c > 0xF4);
        for (std::size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xC0) == 0x80;
        if (ok && len == 3) ok = !(c == 0xE0 && p[i + 1] < 0xA0) && !(c == 0xED && p[i + 1] >= 0xA0);
        if (ok && len == 4) ok = !(c == 0xF0 && p[i + 1] < 0x90) && !(c == 0xF4 && p[i + 1] >= 0x90);
        if (ok) {
            out.append(s, i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::string fitted(const std::string& s, std::size_t chars) {
    std::string v = validUtf8(s);
    std::size_t count = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if ((static_cast<unsigned char>(v[i]) & 0xC0) != 0x80 && count++ == chars) return v.substr(0, i);
    }
    return v;
}

std::string clipped(const std::string& s, std::size_t bytes) {
    std::string v = validUtf8(s);
    if (v.size() <= bytes) return v;
    std::size_t end = bytes;
    while (end > 0 && (static_cast<unsigned char>(v[end]) & 0xC0) == 0x80) --end;
    return v.substr(0, end);
}

std::string forCharset(const std::string& text, const std::string& charset) {
    const std::string utf8 = validUtf8(text);
    if (charset.empty() || charset == "utf8mb4") return utf8;
    const bool latin1 = charset == "latin1";
    const bool bmp = charset == "utf8" || charset == "utf8mb3";
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        unsigned cp = len == 1 ? c : c & (0xFF >> (len + 1));
        for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
        const bool fits = cp < 0x80 || (latin1 && cp >= 0xA0 && cp <= 0xFF) || (bmp && cp <= 0xFFFF);
        if (fits)
            out.append(utf8, i, len);
        else
            out += (latin1 || !bmp) ? "?" : "\xEF\xBF\xBD";
        i += len;
    }
    return out;
}

}  // namespace watchdog::mysql
