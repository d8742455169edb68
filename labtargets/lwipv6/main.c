/* A lab target for stackprint: LWIPv6 (Debian's liblwipv6, a fork of lwIP with its own TCP) on a TAP
 * device.
 *
 *   lwipv6_target TAPNAME ADDRESS NETMASK PORT
 *
 * Attaches a new LWIPv6 stack to the existing TAP device TAPNAME (made and brought up by
 * scripts/lab.sh stack=... inside the target namespace), gives it the IPv4 ADDRESS/NETMASK and listens
 * on TCP PORT, accepting and closing every connection. Everything else is the library's defaults.
 * Prints "listening" once ready; runs until killed.
 */
#include <lwipv6.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_v4(const char* text, uint32_t* network_order) {
  struct in_addr parsed;
  if (inet_pton(AF_INET, text, &parsed) != 1) return 0;
  *network_order = parsed.s_addr;
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s TAPNAME ADDRESS NETMASK PORT\n", argv[0]);
    return 2;
  }
  uint32_t address4, netmask4;
  char* end = NULL;
  long port = strtol(argv[4], &end, 10);
  if (!parse_v4(argv[2], &address4) || !parse_v4(argv[3], &netmask4) || *end != '\0' || port < 1 || port > 65535) {
    fprintf(stderr, "lwipv6_target: bad ADDRESS, NETMASK or PORT\n");
    return 2;
  }
  struct stack* stack = lwip_stack_new();
  if (stack == NULL) {
    fprintf(stderr, "lwipv6_target: cannot create a stack\n");
    return 1;
  }
  struct netif* netif = lwip_tapif_add(stack, argv[1]);
  if (netif == NULL) {
    fprintf(stderr, "lwipv6_target: cannot attach to %s\n", argv[1]);
    return 1;
  }
  /* IPv4 addresses are IPv4-mapped IPv6 addresses in LWIPv6. */
  struct ip_addr address, netmask;
  memset(&address, 0, sizeof address);
  address.addr[2] = IP64_PREFIX;
  address.addr[3] = address4;
  memset(&netmask, 0xff, sizeof netmask);
  netmask.addr[3] = netmask4;
  if (lwip_add_addr(netif, &address, &netmask) != 0 || lwip_ifup(netif) != 0) {
    fprintf(stderr, "lwipv6_target: cannot configure %s\n", argv[1]);
    return 1;
  }
  int listener = lwip_msocket(stack, AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in local;
  memset(&local, 0, sizeof local);
  local.sin_family = AF_INET;
  local.sin_port = htons((uint16_t)port);
  local.sin_addr.s_addr = htonl(INADDR_ANY);
  if (listener < 0 || lwip_bind(listener, (struct sockaddr*)&local, sizeof local) != 0 ||
      lwip_listen(listener, 16) != 0) {
    fprintf(stderr, "lwipv6_target: cannot listen on port %ld\n", port);
    return 1;
  }
  printf("lwipv6_target: listening on %s:%ld\n", argv[2], port);
  fflush(stdout);
  for (;;) {
    int connection = lwip_accept(listener, NULL, NULL);
    if (connection >= 0) lwip_close(connection);
  }
}
