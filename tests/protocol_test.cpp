// The pure protocol core, pinned on every example and invalid class of PROTOCOL.md.
#include <catch2/catch.hpp>

#include "protocol/command.hpp"

using namespace herd;

namespace {
// By value: the Command is a temporary, and the views inside point into the (literal) line.
template <class T>
T as(const Command& c) {
    REQUIRE(std::holds_alternative<T>(c));
    return std::get<T>(c);
}
bool invalid(std::string_view line) { return std::holds_alternative<Invalid>(parse_line(line)); }
}  // namespace

TEST_CASE("POSIX times are exact integer nanoseconds", "[time]") {
    CHECK(parse_posix_time("1520023934") == 1520023934000000000);
    CHECK(parse_posix_time("1646370000.1234567") == 1646370000123456700);
    CHECK(parse_posix_time("1520023934.918963997") == 1520023934918963997);
    CHECK(parse_posix_time("0") == 0);
    CHECK(parse_posix_time("0.000000001") == 1);
    CHECK(parse_posix_time("9223372036.854775807") == 9223372036854775807);
    // Times that differ below a double's precision still compare exactly.
    CHECK(*parse_posix_time("1520023934.918963998") > *parse_posix_time("1520023934.918963997"));
}

TEST_CASE("Malformed POSIX times are rejected", "[time]") {
    for (const char* bad : {"", ".5", "1520023934.", "1520023934.1234567890", "-1520023934", "+1520023934",
                            "1e9", "nan", "inf", "15200x3934", "1520023934.9a", "9223372036.854775808",
                            "99999999999999999999", "1520023934..1", " 1"})
        CHECK_FALSE(parse_posix_time(bad).has_value());
}

TEST_CASE("The time difference is signed, fixed-point, 9 decimals", "[time]") {
    CHECK(format_difference(263873386) == "+0.263873386");
    CHECK(format_difference(0) == "+0.000000000");
    CHECK(format_difference(-1) == "-0.000000001");
    CHECK(format_difference(-12000000001) == "-12.000000001");
    CHECK(format_difference(32945945190711737) == "+32945945.190711737");
    CHECK(format_difference(INT64_MIN) == "-9223372036.854775808");
}

TEST_CASE("POSIX times print with all nine decimals", "[time]") {
    CHECK(format_posix_time(1520023934918963997) == "1520023934.918963997");
    CHECK(format_posix_time(0) == "0.000000000");
    CHECK(format_posix_time(1000000000) == "1.000000000");
}

TEST_CASE("ISO 6709 coordinates", "[coordinates]") {
    auto c = parse_coordinates("+34.068930-118.445127");
    REQUIRE(c);
    CHECK(c->latitude == "+34.068930");
    CHECK(c->longitude == "-118.445127");
    CHECK(c->latitude_unsigned() == "34.068930");
    CHECK(c->longitude_unsigned() == "-118.445127");
    CHECK(parse_coordinates("+12-118"));
    CHECK(parse_coordinates("-90+180"));
    CHECK(parse_coordinates("+90.000-180.0000"));
    CHECK(parse_coordinates("+0.-0."));
    CHECK(parse_coordinates("+5+5"));
    for (const char* bad : {"34.068930-118.445127", "+34.068930118.445127", "+34.068930", "+90.0000001-118",
                            "+91-118", "+34-180.000000000001", "+34-181", "+123-118", "+34-1180", "+34.06.8-118",
                            "++34-118", "+34--118", "+34-118x", "+-118", "+34-", "", "+34.068930-118.445127+1",
                            "+3a-118", "+34-118.4a"})
        CHECK_FALSE(parse_coordinates(bad).has_value());
}

TEST_CASE("IAMAT parses into its fields, byte for byte", "[parse]") {
    const auto c = as<IAmAt>(parse_line("IAMAT kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997"));
    CHECK(c.client == "kiwi.cs.ucla.edu");
    CHECK(c.coordinates_text == "+34.068930-118.445127");
    CHECK(c.time_text == "1520023934.918963997");
    CHECK(c.time == 1520023934918963997);
}

TEST_CASE("Fields are separated by any run of protocol whitespace", "[parse]") {
    const auto c = as<IAmAt>(parse_line(" \t IAMAT\f\vkiwi \t +12-118\r\r 1520023934 \t"));
    CHECK(c.client == "kiwi");
    CHECK(c.coordinates_text == "+12-118");
    CHECK(c.time_text == "1520023934");
}

TEST_CASE("Blank lines are neither valid nor invalid", "[parse]") {
    CHECK(std::holds_alternative<Blank>(parse_line("")));
    CHECK(std::holds_alternative<Blank>(parse_line(" \t\r\f\v ")));
}

TEST_CASE("WHATSAT parses radius and bound", "[parse]") {
    const auto w = as<WhatsAt>(parse_line("WHATSAT kiwi.cs.ucla.edu 10 5"));
    CHECK(w.client == "kiwi.cs.ucla.edu");
    CHECK(w.radius_text == "10");
    CHECK(w.bound == 5);
    CHECK(w.line == "WHATSAT kiwi.cs.ucla.edu 10 5");
    CHECK(as<WhatsAt>(parse_line("WHATSAT a 50 20")).bound == 20);
    CHECK(as<WhatsAt>(parse_line("WHATSAT a 0.001 1")).bound == 1);
    CHECK(as<WhatsAt>(parse_line("WHATSAT a 2.5 07")).bound == 7);
    CHECK(as<WhatsAt>(parse_line("WHATSAT a 50.000 3")).radius_text == "50.000");
    CHECK(as<WhatsAt>(parse_line("WHATSAT a .5 3")).radius_text == ".5");
}

TEST_CASE("WHATSAT out of range or malformed is invalid", "[parse]") {
    for (const char* bad : {"WHATSAT a 0 5", "WHATSAT a 0.0 5", "WHATSAT a 50.0001 5", "WHATSAT a 51 5",
                            "WHATSAT a 100 5", "WHATSAT a -1 5", "WHATSAT a +10 5", "WHATSAT a 1e1 5",
                            "WHATSAT a 10 0", "WHATSAT a 10 21", "WHATSAT a 10 -1", "WHATSAT a 10 2.0",
                            "WHATSAT a 10 x", "WHATSAT a ten 5", "WHATSAT a 10", "WHATSAT a 10 5 6",
                            "WHATSAT a . 5", "WHATSAT a nan 5"})
        CHECK(invalid(bad));
}

TEST_CASE("AT flood lines: six and seven fields", "[parse]") {
    const auto six =
        as<At>(parse_line("AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997"));
    CHECK(six.server == "Alford");
    CHECK(six.difference == "+0.263873386");
    CHECK(six.client == "kiwi.cs.ucla.edu");
    CHECK(six.time == 1520023934918963997);
    CHECK(six.sender.empty());
    const auto seven = as<At>(
        parse_line("AT Alford +0.263873386 kiwi.cs.ucla.edu +34.068930-118.445127 1520023934.918963997 Hamilton"));
    CHECK(seven.sender == "Hamilton");
    CHECK(as<At>(parse_line("AT Alford 32945945.190711737 kiwi +34-118 1479413884.392014450")).difference ==
          "32945945.190711737");
}

TEST_CASE("Every invalid class gets Invalid with the line as received", "[parse]") {
    for (const char* bad : {
             "IAMAT Clark +12-118",                                                   // too few fields
             "IAMAT kiwi +34.068930-118.445127 1520023934.918963997 extra",           // too many
             "iamat kiwi +34.068930-118.445127 1520023934.918963997",                 // case-sensitive
             "IAMAt kiwi +34.068930-118.445127 1520023934.918963997",
             "HELLO",                                                                 // unknown word
             "IAMAT kiwi 34.068930-118.445127 1520023934.918963997",                  // sign missing
             "IAMAT kiwi +34.068930-118.445127 1520023934.9189639971",                // 10 decimals
             "IAMAT kiwi +34.068930-118.445127 -1520023934",                          // signed time
             "IAMAT kiwi +34.068930-118.445127 1.5e9",                                // exponent
             "IAMAT kiwi +34.068930-118.445127 nan",
             "IAMAT kiwi +91.0-118.445127 1520023934",                                // latitude range
             "AT Alford +0.263873386 kiwi +34.068930-118.445127",                     // AT too short
             "AT Alford +0.263873386 kiwi +34.068930-118.445127 1520023934 Ham extra", // AT too long
             "AT Alford x kiwi +34.068930-118.445127 1520023934",                     // bad difference
             "AT Alford +0.1 kiwi +34.068930-118.445127 15200x",                      // bad time
             "AT Alford +0.1 kiwi 34-118 1520023934",                                 // bad coordinates
             "? IAMAT kiwi +34-118 1520023934",
         }) {
        INFO(bad);
        const auto i = as<Invalid>(parse_line(bad));
        CHECK(i.line == bad);
        CHECK_FALSE(i.reason.empty());
    }
}

TEST_CASE("Field limits: a client ID or another field past its limit is Invalid, at the limit it parses", "[parse][limits]") {
    const FieldLimits limits{.max_client_id = 4, .max_field = 14};
    CHECK(as<IAmAt>(parse_line("IAMAT kiwi +1+1 1520023934", limits)).client == "kiwi");
    CHECK(as<Invalid>(parse_line("IAMAT kiwis +1+1 1520023934", limits)).reason == "client ID longer than the limit");
    CHECK(as<IAmAt>(parse_line("IAMAT kiwi +1.000000000+1 1520023934", limits)).coordinates_text == "+1.000000000+1");
    CHECK(as<Invalid>(parse_line("IAMAT kiwi +1.0000000000+1 1520023934", limits)).reason == "a field is longer than the limit");
    CHECK(as<WhatsAt>(parse_line("WHATSAT kiwi 10 5", limits)).client == "kiwi");
    CHECK(as<Invalid>(parse_line("WHATSAT kiwis 10 5", limits)).reason == "client ID longer than the limit");
    CHECK(as<At>(parse_line("AT Alford +0.1 kiwi +1+1 1520023934 Hamilton", limits)).client == "kiwi");
    CHECK(as<Invalid>(parse_line("AT Alford +0.1 kiwis +1+1 1520023934", limits)).reason == "client ID longer than the limit");
    CHECK(as<Invalid>(parse_line("AT Alford +0.1 kiwi +1+1 1520023934 Hamilton-Holiday", limits)).reason ==
          "a field is longer than the limit");
    // Without limits (the default, for lines this process made) any size parses.
    const std::string long_id(100'000, 'k');
    CHECK(as<IAmAt>(parse_line("IAMAT " + long_id + " +1+1 1520023934")).client == long_id);
}

TEST_CASE("Radius in km becomes exact metres", "[places]") {
    CHECK(radius_metres("10") == "10000");
    CHECK(radius_metres("2.5") == "2500");
    CHECK(radius_metres("50") == "50000");
    CHECK(radius_metres("0.001") == "1");
    CHECK(radius_metres("0.0015") == "1.5");
    CHECK(radius_metres(".5") == "500");
    CHECK(radius_metres("010.250") == "10250");
    CHECK(radius_metres("1.") == "1000");
}

TEST_CASE("line_subject: the command word and the client field, valid line or not", "[parse]") {
    const auto subject = [](std::string_view line) {
        const LineSubject s = line_subject(line);
        return std::pair{std::string(s.command), std::string(s.client)};
    };
    CHECK(subject("AT Alford +0.1 kiwi +34-118 1520023934.9 Alford") == std::pair<std::string, std::string>{"AT", "kiwi"});
    CHECK(subject("IAMAT kiwi +34-118 1520023934") == std::pair<std::string, std::string>{"IAMAT", "kiwi"});
    CHECK(subject("\tWHATSAT\vkiwi 10 5\r\n") == std::pair<std::string, std::string>{"WHATSAT", "kiwi"});
    // Fields as parse_line splits them, whether or not the line is valid.
    CHECK(subject("AT a b kiwi") == std::pair<std::string, std::string>{"AT", "kiwi"});
    CHECK(subject("AT a b") == std::pair<std::string, std::string>{"AT", ""});
    CHECK(subject("HERDSIM-CATCHUP Alford") == std::pair<std::string, std::string>{"HERDSIM-CATCHUP", ""});
    CHECK(subject("at a b kiwi") == std::pair<std::string, std::string>{"at", ""});
    CHECK(subject(" \t ") == std::pair<std::string, std::string>{"", ""});
}
