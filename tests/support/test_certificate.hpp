#pragma once
// Self-signed certificates made at test time (OpenSSL 3), so no key material lives in the repo.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace herd::test {

struct TestCertificateOptions {
    std::string common_name = "localhost";
    std::vector<std::string> dns_names{"localhost"};     // subjectAltName DNS entries
    std::vector<std::string> ip_addresses{"127.0.0.1"};  // subjectAltName IP entries
};

struct TestCertificate {
    std::string certificate_pem;  // also its own trust anchor (CA:TRUE)
    std::string private_key_pem;  // EC P-256, unencrypted PKCS#8
};

// Throws std::runtime_error with OpenSSL's reason if OpenSSL fails.
TestCertificate make_test_certificate(const TestCertificateOptions& options = {});

// A file with the given contents under the temporary directory, removed when this goes away.
class TemporaryFile {
public:
    explicit TemporaryFile(std::string_view contents, std::string_view suffix = ".pem");
    ~TemporaryFile();
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace herd::test
