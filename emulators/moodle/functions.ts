/** Every external function the emulator serves, by name. */
import type { ExternalFunction } from './function.ts';
import { getCourses, getCoursesByField } from './functions-course.ts';
import { enrolUsers, getEnrolledUsers, unenrolUsers } from './functions-enrol.ts';
import { getCourseCompletionStatus, getSiteInfo } from './functions-site.ts';
import { createUsers, deleteUsers, getUsersByField, updateUsers } from './functions-user.ts';

/** The emulated functions, in the order `core_webservice_get_site_info` lists them. */
export const FUNCTIONS: readonly ExternalFunction[] = [
  getSiteInfo,
  createUsers,
  updateUsers,
  getUsersByField,
  deleteUsers,
  getCourses,
  getCoursesByField,
  enrolUsers,
  unenrolUsers,
  getEnrolledUsers,
  getCourseCompletionStatus,
];

/** Names of the emulated functions. */
export const FUNCTION_NAMES: readonly string[] = FUNCTIONS.map((f) => f.name);

/** A function by name. */
export function findFunction(name: string): ExternalFunction | undefined {
  return FUNCTIONS.find((f) => f.name === name);
}
