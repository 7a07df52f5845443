/**
 * The cameras and microphones the viewer can pick. Listing devices asks for nothing (no prompt);
 * their labels are empty until a capture was allowed once, so unnamed devices are numbered.
 */

export interface DeviceChoice {
  deviceId: string;
  label: string;
}

export interface DeviceChoices {
  cameras: DeviceChoice[];
  microphones: DeviceChoice[];
}

/** The devices of each kind; `unnamed(kind, n)` names a device without a label. */
export async function listDevices(unnamed: (kind: 'camera' | 'microphone', index: number) => string): Promise<DeviceChoices> {
  const devices = (await navigator.mediaDevices?.enumerateDevices?.().catch(() => [])) ?? [];
  const choices = (kind: MediaDeviceKind, name: 'camera' | 'microphone') =>
    devices
      .filter((device) => device.kind === kind && device.deviceId && device.deviceId !== 'default')
      .map((device, index) => ({ deviceId: device.deviceId, label: device.label || unnamed(name, index + 1) }));
  return { cameras: choices('videoinput', 'camera'), microphones: choices('audioinput', 'microphone') };
}

/** A `getUserMedia` constraint for the picked device (the browser's default when none). */
export function deviceConstraint(deviceId: string | undefined, base: MediaTrackConstraints = {}): MediaTrackConstraints {
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}
