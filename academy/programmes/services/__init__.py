"""Programme services: authoring, enrolment, sessions (registration, attendance), progress and certification."""
