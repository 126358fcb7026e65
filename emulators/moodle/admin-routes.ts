/**
 * Test-only routes under `/_emulator` (no Moodle has them): seed courses, finish a learner's course,
 * inspect the site, change faults and reset. They need no token and are never faulted, so a test or a
 * script driving the emulator in another process can arrange what a real site would already contain.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { MoodleFaults } from './faults.ts';
import type { ServerDeps } from './server.ts';

const criterion = z.object({
  type: z.number().int().min(1).max(8),
  title: z.string(),
  details: z.object({ type: z.string(), criteria: z.string(), requirement: z.string() }),
});

/** `POST /_emulator/courses`. */
export const newCourseSchema = z.object({
  fullname: z.string().min(1),
  shortname: z.string().min(1),
  idnumber: z.string().optional(),
  categoryid: z.number().int().positive().optional(),
  summary: z.string().optional(),
  format: z.string().optional(),
  visible: z.boolean().optional(),
  enablecompletion: z.boolean().optional(),
  startdate: z.number().int().optional(),
  enddate: z.number().int().optional(),
  enrolMethods: z.array(z.string()).optional(),
  completionCriteria: z.array(criterion).optional(),
});

/** `POST /_emulator/completions`: `timecompleted` in Unix seconds, default now. */
export const completionSchema = z.object({
  userid: z.number().int().positive(),
  courseid: z.number().int().positive(),
  timecompleted: z.number().int().nonnegative().optional(),
});

const faultsSchema = z.object({
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.union([z.number().nonnegative(), z.tuple([z.number(), z.number()])]).optional(),
  timeoutRate: z.number().min(0).max(1).optional(),
  timeoutMs: z.number().nonnegative().optional(),
  rateLimitStorm: z.boolean().optional(),
  seed: z.number().int().optional(),
});

/** Fastify plugin with the seeding and inspection routes, registered under `/_emulator`. */
export function adminRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    const bad = (message: string) => ({ error: { code: 'bad_request', message } });

    app.get('/state', async () => ({
      users: deps.state.allUsers().map(({ password: _password, ...u }) => u),
      courses: deps.state.courses(),
      enrolments: deps.state.enrolments(),
      completions: deps.state.completions(),
    }));

    app.post('/courses', async (request, reply) => {
      const parsed = newCourseSchema.safeParse(request.body);
      if (!parsed.success)
        return reply.code(400).send(bad(parsed.error.issues[0]?.message ?? 'invalid course'));
      try {
        return reply.code(201).send(deps.state.createCourse(parsed.data));
      } catch (e) {
        return reply.code(409).send({ error: { code: 'conflict', message: (e as Error).message } });
      }
    });

    app.post('/completions', async (request, reply) => {
      const parsed = completionSchema.safeParse(request.body);
      if (!parsed.success)
        return reply.code(400).send(bad(parsed.error.issues[0]?.message ?? 'invalid completion'));
      const { userid, courseid, timecompleted } = parsed.data;
      if (!deps.state.user(userid) || !deps.state.course(courseid))
        return reply.code(404).send({ error: { code: 'not_found', message: 'no such user or course' } });
      return reply.code(201).send(deps.state.completeCourse(userid, courseid, timecompleted));
    });

    app.put('/faults', async (request, reply) => {
      const parsed = faultsSchema.safeParse(request.body);
      if (!parsed.success)
        return reply.code(400).send(bad(parsed.error.issues[0]?.message ?? 'invalid faults'));
      deps.faults.set(parsed.data as Partial<MoodleFaults>);
      return deps.faults.current;
    });

    app.get('/stats', async () => deps.stats);

    app.post('/reset', async (_request, reply) => {
      deps.reset();
      return reply.code(204).send();
    });
  };
}
