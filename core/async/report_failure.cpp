#include "async/report_failure.hpp"

#include <iostream>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

namespace herd {

std::optional<std::string> failure_message(const std::exception_ptr& error) {
    if (!error) return std::nullopt;
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        if (e.code() == boost::asio::error::operation_aborted || e.code() == boost::asio::error::eof)
            return std::nullopt;
        return e.what();
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

void print_failure(const std::string& message) { std::cerr << "herdsim: " << message << std::endl; }

}  // namespace herd
