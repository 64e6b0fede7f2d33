// Linux interfaces that Glibc's Swift module leaves out: epoll and eventfd for the HTTP server's
// I/O threads, and naming a thread for the I/O threads and the forward pass's helper.
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

// A GNU extension, declared only under _GNU_SOURCE.
extern int pthread_setname_np(pthread_t thread, const char *name);
