import sys

from devices.sim.serial.runner import main

sys.exit(main())
