#include <watchdog/Sink.h>

#include <Poco/Exception.h>

namespace watchdog {

std::vector<Record> Sink::readHistory(const HistoryQuery&) { throw Poco::NotImplementedException("this sink cannot read history"); }

}  // namespace watchdog
