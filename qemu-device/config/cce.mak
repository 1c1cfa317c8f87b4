# Device set for the accel-testbed QEMU (configure --without-default-devices
# --with-devices-x86_64=cce). Only what the testbed VM and the qtest tests use.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_PCIE_PORT=y
CONFIG_SERIAL_ISA=y
CONFIG_CCE_PCI=y
# Guest console / disk options for later scenarios.
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_VIRTIO_BLK=y
