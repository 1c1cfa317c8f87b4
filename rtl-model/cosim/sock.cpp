// SPDX-License-Identifier: MIT
#include "cce/cosim/sock.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace cce::cosim {

namespace {
bool fill_addr(const std::string& path, sockaddr_un* sa) {
    std::memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (path.size() >= sizeof(sa->sun_path)) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(sa->sun_path, path.c_str(), path.size() + 1);
    return true;
}
}  // namespace

int listen_unix(const std::string& path, int type) {
    sockaddr_un sa;
    if (!fill_addr(path, &sa)) return -1;
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    unlink(path.c_str());
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0 || listen(fd, 4) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int connect_unix(const std::string& path, int timeout_ms, int type) {
    sockaddr_un sa;
    if (!fill_addr(path, &sa)) return -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0) return -1;
        if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0) return fd;
        int e = errno;
        close(fd);
        if ((e != ENOENT && e != ECONNREFUSED) || std::chrono::steady_clock::now() >= deadline) {
            errno = e;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

int accept_unix(int lfd, int timeout_ms) {
    pollfd p{lfd, POLLIN, 0};
    int r;
    do {
        r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) {
        if (r == 0) errno = ETIMEDOUT;
        return -1;
    }
    return accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
}

bool send_msg(int fd, const cce_cosim_msg& m, int pass_fd) {
    iovec iov{const_cast<cce_cosim_msg*>(&m), sizeof(m)};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    if (pass_fd >= 0) {
        std::memset(ctl, 0, sizeof(ctl));
        mh.msg_control = ctl;
        mh.msg_controllen = sizeof(ctl);
        cmsghdr* c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    for (;;) {
        ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(sizeof(m))) return true;
        if (n < 0 && errno == EINTR) continue;
        return false;
    }
}

RecvStatus recv_msg(int fd, cce_cosim_msg* m, size_t* len, int* got_fd, int timeout_ms,
                    int spin_us) {
    if (got_fd) *got_fd = -1;
    unsigned char buf[CCE_COSIM_MSG_SIZE + 1];
    alignas(cmsghdr) char ctl[CMSG_SPACE(4 * sizeof(int))];
    auto spin_end = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_us);
    for (;;) {
        iovec iov{buf, sizeof(buf)};
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = ctl;
        mh.msg_controllen = sizeof(ctl);
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n > 0) {
            for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
                size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < nfd; ++i) {
                    int f;
                    std::memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                    if (got_fd && *got_fd < 0)
                        *got_fd = f;
                    else
                        close(f);
                }
            }
            *len = (mh.msg_flags & MSG_TRUNC) ? sizeof(buf) : static_cast<size_t>(n);
            std::memset(m, 0, sizeof(*m));
            std::memcpy(m, buf, std::min(static_cast<size_t>(n), sizeof(*m)));
            return RecvStatus::Ok;
        }
        if (n == 0) return RecvStatus::Closed;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return RecvStatus::Error;
        if (timeout_ms == 0) return RecvStatus::Timeout;
        if (spin_us > 0 && std::chrono::steady_clock::now() < spin_end) continue;
        pollfd p{fd, POLLIN, 0};
        int r = poll(&p, 1, timeout_ms);
        if (r == 0) return RecvStatus::Timeout;
        if (r < 0 && errno != EINTR) return RecvStatus::Error;
    }
}

Decoded decode_to_model(const void* buf, size_t len, unsigned num_queues) {
    Decoded d;
    if (len != CCE_COSIM_MSG_SIZE) {
        d.err = CCE_COSIM_E_SIZE;
        return d;
    }
    std::memcpy(&d.msg, buf, sizeof(d.msg));
    d.err = cce_cosim_check_to_model(&d.msg, len, num_queues);
    return d;
}

int make_shared_buffer(const char* name, size_t size, void** map) {
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (ftruncate(fd, static_cast<off_t>(size)) < 0) {
        close(fd);
        return -1;
    }
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return -1;
    }
    *map = p;
    return fd;
}

}  // namespace cce::cosim
