/* A lab target for stackprint: lwIP (Debian's liblwip, its unix "tapif" port) on a TAP device.
 *
 *   lwip_target TAPNAME ADDRESS NETMASK PORT
 *
 * Attaches to the existing TAP device TAPNAME (made and brought up by scripts/lab_real_stack.sh inside
 * the target namespace), gives lwIP the IPv4 ADDRESS/NETMASK and listens on TCP PORT, accepting and
 * closing every connection. Everything else is the library's own defaults (lwipopts.h of the package),
 * so what a scanner sees is lwIP's behaviour, not ours. Runs until killed.
 */
#include <lwip/init.h>
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
#include <lwip/tcp.h>
#include <lwip/tcpip.h>
#include <netif/tapif.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static err_t close_accepted(void* arg, struct tcp_pcb* pcb, err_t err) {
  (void)arg;
  if (err != ERR_OK || pcb == NULL) return ERR_VAL;
  if (tcp_close(pcb) != ERR_OK) {
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  return ERR_OK;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s TAPNAME ADDRESS NETMASK PORT\n", argv[0]);
    return 2;
  }
  ip4_addr_t address, netmask, gateway;
  char* end = NULL;
  long port = strtol(argv[4], &end, 10);
  if (!ip4addr_aton(argv[2], &address) || !ip4addr_aton(argv[3], &netmask) || *end != '\0' || port < 1 ||
      port > 65535) {
    fprintf(stderr, "lwip_target: bad ADDRESS, NETMASK or PORT\n");
    return 2;
  }
  ip4_addr_set_zero(&gateway);
  /* The tapif port attaches to this device instead of creating and configuring "tap0" itself. */
  if (setenv("PRECONFIGURED_TAPIF", argv[1], 1) != 0) return 1;

  tcpip_init(NULL, NULL);
  static struct netif netif;
  LOCK_TCPIP_CORE();
  if (netif_add(&netif, &address, &netmask, &gateway, NULL, tapif_init, tcpip_input) == NULL) {
    UNLOCK_TCPIP_CORE();
    fprintf(stderr, "lwip_target: cannot attach to %s\n", argv[1]);
    return 1;
  }
  netif_set_default(&netif);
  netif_set_up(&netif);
  struct tcp_pcb* pcb = tcp_new();
  if (pcb == NULL || tcp_bind(pcb, IP_ADDR_ANY, (u16_t)port) != ERR_OK) {
    UNLOCK_TCPIP_CORE();
    fprintf(stderr, "lwip_target: cannot bind port %ld\n", port);
    return 1;
  }
  struct tcp_pcb* listener = tcp_listen(pcb);
  if (listener == NULL) {
    UNLOCK_TCPIP_CORE();
    fprintf(stderr, "lwip_target: cannot listen\n");
    return 1;
  }
  tcp_accept(listener, close_accepted);
  UNLOCK_TCPIP_CORE();
  printf("lwip_target: lwIP %s listening on %s:%ld\n", LWIP_VERSION_STRING, argv[2], port);
  fflush(stdout);
  for (;;) pause();
}
