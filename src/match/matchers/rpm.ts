/**
 * RPM-family packages. AlmaLinux, Rocky Linux, Red Hat, Photon OS and Azure Linux key their OSV data
 * by BINARY package name with `[epoch:]version-release` versions, which is what the rpm cataloger
 * records; SUSE, openSUSE, Mageia and openEuler key it by SOURCE package (./os-ecosystem.ts).
 */
import { osMatcher } from './os.js';

export const rpmMatcher = osMatcher('rpm', 'rpm');
