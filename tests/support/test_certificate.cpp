#include "support/test_certificate.hpp"

#include <cerrno>
#include <functional>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace herd::test {

namespace {

template <auto free_function>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        free_function(p);
    }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

[[noreturn]] void fail(const std::string& what) {
    char reason[256] = "no OpenSSL error queued";
    if (const unsigned long code = ERR_get_error(); code != 0) ERR_error_string_n(code, reason, sizeof reason);
    throw std::runtime_error("making a test certificate: " + what + ": " + reason);
}

void check(int result, const std::string& what) {
    if (result <= 0) fail(what);
}

std::string subject_alt_names(const TestCertificateOptions& options) {
    std::string names;
    for (const auto& dns : options.dns_names) names += (names.empty() ? "DNS:" : ",DNS:") + dns;
    for (const auto& ip : options.ip_addresses) names += (names.empty() ? "IP:" : ",IP:") + ip;
    return names;
}

void add_extension(X509* certificate, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    if (!extension) fail("extension " + value);
    check(X509_add_ext(certificate, extension.get(), -1), "adding extension " + value);
}

void set_random_serial(X509* certificate) {
    unsigned char bytes[16];
    check(RAND_bytes(bytes, sizeof bytes), "random serial");
    bytes[0] &= 0x7f;  // a positive serial
    BIGNUM* serial = BN_bin2bn(bytes, sizeof bytes, nullptr);
    if (!serial) fail("serial");
    const bool ok = BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) != nullptr;
    BN_free(serial);
    if (!ok) fail("serial");
}

std::string pem_of(const std::function<int(BIO*)>& write, const std::string& what) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio) fail("memory BIO");
    check(write(bio.get()), what);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TestCertificate make_test_certificate(const TestCertificateOptions& options) {
    Key key(EVP_EC_gen("P-256"));
    if (!key) fail("EC P-256 key");
    Certificate certificate(X509_new());
    if (!certificate) fail("X509_new");
    X509* x = certificate.get();

    check(X509_set_version(x, X509_VERSION_3), "version");
    set_random_serial(x);
    // Valid from an hour ago, so a clock a little behind still accepts it.
    if (!X509_gmtime_adj(X509_getm_notBefore(x), -3600) || !X509_gmtime_adj(X509_getm_notAfter(x), 86400))
        fail("validity");
    X509_NAME* name = X509_get_subject_name(x);
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1, -1, 0),
          "common name");
    check(X509_set_issuer_name(x, name), "issuer");
    check(X509_set_pubkey(x, key.get()), "public key");

    add_extension(x, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x, NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(x, NID_subject_key_identifier, "hash");
    if (const std::string names = subject_alt_names(options); !names.empty())
        add_extension(x, NID_subject_alt_name, names);
    check(X509_sign(x, key.get(), EVP_sha256()), "signing");

    TestCertificate result;
    result.certificate_pem = pem_of([x](BIO* bio) { return PEM_write_bio_X509(bio, x); }, "certificate PEM");
    result.private_key_pem = pem_of(
        [&key](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); },
        "private key PEM");
    return result;
}

TemporaryFile::TemporaryFile(std::string_view contents, std::string_view suffix) {
    std::string pattern = (std::filesystem::temp_directory_path() / "herdsim-XXXXXX").string() + std::string(suffix);
    const int fd = mkstemps(pattern.data(), static_cast<int>(suffix.size()));
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "creating a temporary file");
    path_ = pattern;
    const bool written = ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
    ::close(fd);
    if (!written) {
        std::filesystem::remove(path_);
        throw std::runtime_error("writing the temporary file " + path_.string());
    }
}

TemporaryFile::~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

}  // namespace herd::test
