import { isIP } from 'node:net';
import { z } from 'zod';
import { LABEL_KEY, LABEL_VALUE } from './label-selector.js';

/** A set or module name. */
export const topologyName = z.string().trim().min(1).max(128).regex(/^[^,;=()]+$/, 'must not contain , ; = ( or )');

export const topologyNode = z.object({ set: topologyName.optional(), module: topologyName.optional() })
  .refine((n) => n.set !== undefined || n.module !== undefined, { message: 'name a set, a module, or both' });

export const cloudArea = z.number().int().min(0).max(2_147_483_647);
export const ipAddress = z.string().max(45).refine((ip) => isIP(ip) !== 0, { message: 'not an IPv4 or IPv6 address' });

export const labelKey = z.string().regex(LABEL_KEY, 'label keys are 1–63 letters, digits, "_", ".", "-" or "/", starting and ending with a letter or digit');
export const labelValue = z.string().regex(LABEL_VALUE, 'label values are 1–63 letters, digits, "_", "." or "-"');
export const labels = z.record(labelKey, labelValue).refine((l) => Object.keys(l).length <= 64, { message: 'at most 64 labels per host' });

/** A dynamic group's name: how jobs and plugins address it. */
export const groupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use 1–64 letters, digits, "_", "." or "-", starting with a letter or digit');

/** A host query or a group's saved query, as the API takes it. */
export const hostQueryBody = z.object({
  topology: z.array(topologyNode).min(1).max(500).optional(),
  selector: z.string().max(4096).optional(),
  cloudArea: cloudArea.optional(),
  ips: z.array(ipAddress).min(1).max(50_000).optional(),
});
