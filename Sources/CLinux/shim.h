// Linux interfaces the HTTP server's I/O threads use that Glibc's Swift module leaves out.
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

// A GNU extension, declared only under _GNU_SOURCE.
extern int pthread_setname_np(pthread_t thread, const char *name);
