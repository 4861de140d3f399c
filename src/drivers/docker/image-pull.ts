// The application's image on the engine: pulled when missing, bounded in time
// (AOS_DOCKER_PULL_TIMEOUT_MS), cancelled with the activity. A pull that cannot succeed is a
// permanent error; an engine that cannot be reached is not (a retry may find it back).
import { PermanentDriverError } from '../types.js';
import type { ApplicationOnDocker } from './application-on-docker.js';
import { cancelled } from '../workload/cancellation.js';
import { engineMessage, isEngineUnreachable, statusOf } from './client.js';

function pullFailure(image: string, reason: string): PermanentDriverError {
  return new PermanentDriverError(`image ${image} could not be pulled: ${reason.replace(/^\(HTTP code \d+\) [a-z ]+ - /i, '')}`, 'IMAGE_PULL_FAILED');
}

export async function ensureImage(app: ApplicationOnDocker, image: string): Promise<void> {
  const { docker, ctx } = app;
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (error) {
    if (statusOf(error) !== 404) {
      if (statusOf(error) === 400) throw pullFailure(image, engineMessage(error));
      throw error;
    }
  }
  ctx.log(`pulling image ${image}`);
  const timeoutMs = app.settings.pullTimeoutMs;
  const abort = new AbortController();
  const onCancel = (): void => abort.abort();
  ctx.signal.addEventListener('abort', onCancel, { once: true });
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const stream = await docker.pull(image, { abortSignal: abort.signal });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failed = events?.find((e) => e.error || e.errorDetail);
          if (error) reject(error);
          else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
          else resolve();
        },
        () => ctx.heartbeat({ step: 'pull', image }),
      );
    });
    await docker.getImage(image).inspect();
  } catch (error) {
    if (ctx.signal.aborted) throw cancelled();
    if (isEngineUnreachable(error) && !abort.signal.aborted) throw error;
    const reason = abort.signal.aborted ? `no result within ${Math.round(timeoutMs / 1000)} s` : engineMessage(error);
    throw pullFailure(image, reason);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onCancel);
  }
}
