// SPDX-License-Identifier: MIT
// Socket helpers for the cosim link (AF_UNIX SOCK_SEQPACKET, one 64-byte
// struct cce_cosim_msg per packet, optional SCM_RIGHTS fd).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/socket.h>

#include "cce/cce_cosim.h"

namespace cce::cosim {

// Listening socket at path (an existing socket file there is replaced).
// type: the link's SOCK_SEQPACKET, or SOCK_STREAM for the control socket,
// optionally | SOCK_NONBLOCK (SOCK_CLOEXEC is always added). Returns the fd
// or -1 with errno set (ENAMETOOLONG for a path sockaddr_un cannot hold).
int listen_unix(const std::string& path, int type = SOCK_SEQPACKET);
// Connect to path, retrying up to timeout_ms while it does not exist yet.
int connect_unix(const std::string& path, int timeout_ms, int type = SOCK_SEQPACKET);
// Wait up to timeout_ms (-1: forever) for a connection. -1 on error/timeout.
int accept_unix(int lfd, int timeout_ms);

// Send one message (and an fd if fd >= 0). False on error.
bool send_msg(int fd, const cce_cosim_msg& m, int pass_fd = -1);

enum class RecvStatus { Ok, Timeout, Closed, Error };
// Receive one packet. *len gets the received size (the packet is truncated
// to 64 bytes; larger packets set *len = 65). *got_fd gets a passed fd or -1
// (the caller owns it). timeout_ms: -1 forever, 0 poll.
RecvStatus recv_msg(int fd, cce_cosim_msg* m, size_t* len, int* got_fd, int timeout_ms,
                    int spin_us = 0);

// Result of checking one packet received by the model (pure, fuzzable).
struct Decoded {
    int err = CCE_COSIM_OK;  // enum cce_cosim_err
    cce_cosim_msg msg{};
};
Decoded decode_to_model(const void* buf, size_t len, unsigned num_queues);

// A memfd of size bytes, mapped shared. Returns the fd, *map gets the mapping.
int make_shared_buffer(const char* name, size_t size, void** map);

}  // namespace cce::cosim
