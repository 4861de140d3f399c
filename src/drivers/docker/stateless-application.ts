// CTC.ServiceStage.StatelessApplication on a Docker engine: N containers built from the
// ContainerComponent the application requires.
//
// Objects and names (all deterministic, all carrying ownerLabels(); <t> is the tenant's tag, a
// short hash of its id, so tenants sharing an engine never want the same name — names.ts):
//   containers  <t>-<namespace>-<stack>-<element>-<i>      i = 0..instances-1 (label aos.instance=i)
//   volumes     <t>-<namespace>-<stack>-<element>-vol-<v>  one per declared volume, shared by the
//               instances and kept across replacements (removed on delete)
//   network     <t>-<namespace>-<stack>-net                one user-defined bridge per stack, so the
//               stack's containers reach each other by name and are apart from other stacks;
//               removed by the delete that leaves it without containers
// Objects are found by their labels, not their names (except volumes, see resolveVolumeNames), so
// stacks deployed before names carried the tag keep working: stop, start, health, update and delete.
//
// NodePort with N instances: one engine has one host port per address, and a container can only
// publish ports of its own. Without a proxy image of our own (clusters have no registry we can
// rely on) and without a proxy in the worker process (it restarts), there is no honest way to put
// N containers behind one host port. So each instance publishes every service port on its own
// host port: instance 0 holds the NodePort (the template's nodePort or one allocated from
// AOS_NODEPORT_RANGE), instances 1..N-1 get allocated ports, and `endpoints` lists them all
// (`Service.ports[i].nodePort` is instance 0's) — port-plan.ts.
//
// Replacement (image, command, env, secrets, volumes, ports, health check changed) goes one
// instance at a time — rollout.ts.
//
// Not applied on one engine: `exclusive` (Kubernetes anti-affinity; every instance shares the
// single host here).
//
// The parts: application-on-docker.ts (the element's view of the engine: names, labels,
// containers), image-pull.ts, network-and-volumes.ts, port-plan.ts, rollout.ts, readiness.ts,
// application-state.ts and cancellation.ts; this file is the driver that puts them in order. Its
// waiting times and port range come in through createStatelessApplicationDriver (settings.ts).
import { PermanentDriverError, type ElementContext, type ElementDriver, type ElementState, type HealthReport } from '../types.js';
import {
  ApplicationOnDocker,
  LABEL_SPEC_HASH,
  NEXT_SUFFIX,
  tolerate,
  type InstanceContainer,
} from './application-on-docker.js';
import { instancesOfState, serviceOfState, stateOf } from './application-state.js';
import { engineMessage } from './client.js';
import { ensureImage } from './image-pull.js';
import {
  assertVolumesUsable,
  ensureNetwork,
  ensureVolumes,
  removeElementVolumes,
  removeUnusedStackNetworks,
  resolveVolumeNames,
} from './network-and-volumes.js';
import { isPortConflict, nodePortsOf, planPorts, reservedHostPorts, sameHostPorts } from './port-plan.js';
import { probe, waitReady } from './readiness.js';
import { createInstance, recoverInterruptedReplacements, replaceInstance } from './rollout.js';
import {
  DOCKER_RESTART_POLICY,
  STATELESS_APPLICATION_TYPE,
  containerComponentProperties,
  containerSpecHash,
  parseApplicationSpec,
} from '../workload/spec.js';
import type { DockerSettings } from './settings.js';

/**
 * Brings the engine to the desired state: pulled image, network, volumes, `instances` running
 * containers built from the current spec. Create and update are both this: whatever a previous
 * (interrupted) attempt left is found by name and labels and reused.
 */
async function reconcile(settings: DockerSettings, ctx: ElementContext, properties: Record<string, unknown>, previous?: ElementState): Promise<ElementState> {
  const spec = parseApplicationSpec(properties, containerComponentProperties(ctx), settings.nodePortRange, ctx.cluster?.stopGracePeriodSeconds);
  const app = new ApplicationOnDocker(ctx, settings);

  // Everything that can fail without side effects first: the image, foreign objects in the way.
  await ensureImage(app, spec.image);
  ctx.heartbeat({ step: 'image-ready' });
  let containers = await app.listContainers();
  if (await recoverInterruptedReplacements(app, containers)) containers = await app.listContainers();
  for (let i = 0; i < spec.instances; i++) {
    if (!containers.some((c) => c.index === i)) await app.assertNameFree(app.containerName(i));
  }
  await resolveVolumeNames(app, spec);
  await assertVolumesUsable(app, spec);

  await ensureNetwork(app);
  await ensureVolumes(app, spec);

  // Scale in: the highest indexes go (stopped in parallel: each may take the stop grace period).
  await Promise.all(containers.filter((c) => c.index >= spec.instances).map((c) => app.removeContainer(c)));

  const hash = containerSpecHash(spec);
  const reserved = await reservedHostPorts(app);
  const previousNodePorts = nodePortsOf(previous);
  const restartPolicy = DOCKER_RESTART_POLICY[spec.restartPolicy];
  const toWaitFor: { id: string; name: string }[] = [];
  for (let i = 0; i < spec.instances; i++) {
    ctx.heartbeat({ step: 'instance', index: i });
    const existing = containers.find((c) => c.index === i);
    if (!existing) {
      const id = await createInstance(app, spec, i, reserved, previousNodePorts);
      toWaitFor.push({ id, name: app.containerName(i) });
      continue;
    }
    const ports = await planPorts(app, spec, i, existing.labels, reserved, previousNodePorts);
    if (existing.labels[LABEL_SPEC_HASH] !== hash || !sameHostPorts(existing.labels, ports)) {
      await replaceInstance(app, spec, existing, ports);
      continue;
    }
    const container = app.docker.getContainer(existing.id);
    const info = await container.inspect();
    if (info.HostConfig.RestartPolicy?.Name !== restartPolicy) {
      await container.update({ RestartPolicy: { Name: restartPolicy, MaximumRetryCount: 0 } });
      ctx.log(`restart policy of ${existing.name} set to ${restartPolicy}`);
    }
    if (!info.State.Running) {
      try {
        await tolerate(() => container.start(), [304]);
      } catch (error) {
        // Created by an interrupted attempt, and its host port was taken since: build it anew.
        if (!isPortConflict(error)) throw error;
        await app.removeContainer(existing);
        const id = await createInstance(app, spec, i, reserved, previousNodePorts);
        toWaitFor.push({ id, name: app.containerName(i) });
        continue;
      }
    }
    toWaitFor.push({ id: existing.id, name: existing.name });
  }
  await waitReady(app, toWaitFor, spec.restartPolicy);
  return stateOf(app, spec, spec.instances);
}

export function createStatelessApplicationDriver(settings: DockerSettings): ElementDriver {
  return {
    type: STATELESS_APPLICATION_TYPE,

    create(ctx, properties) {
      return reconcile(settings, ctx, properties);
    },

    update(ctx, properties, previous) {
      return reconcile(settings, ctx, properties, previous.state);
    },

    async delete(ctx, _state) {
      const app = new ApplicationOnDocker(ctx, settings);
      const containers = await app.listContainers();
      ctx.heartbeat({ step: 'delete', containers: containers.map((c) => c.name) });
      // In parallel: each may take the stop grace period.
      await Promise.all(containers.map((c) => app.removeContainer(c)));
      await removeElementVolumes(app);
      await removeUnusedStackNetworks(app);
    },

    async stop(ctx, state) {
      const app = new ApplicationOnDocker(ctx, settings);
      const containers = await app.listContainers();
      await Promise.all(containers.map(async (c) => {
        ctx.heartbeat({ step: 'stop', container: c.name });
        await app.stopContainer(c.id, app.stopGraceOf(c.labels));
      }));
      ctx.log(`stopped ${containers.length} container(s)`);
      return stateOf(app, serviceOfState(state), instancesOfState(state, containers.length), { stopped: true });
    },

    async start(ctx, state) {
      const app = new ApplicationOnDocker(ctx, settings);
      const instances = instancesOfState(state, 0);
      const containers = (await app.listContainers()).filter((c) => !c.name.endsWith(NEXT_SUFFIX) && c.index < instances);
      const missing = [...Array(instances).keys()].filter((i) => !containers.some((c) => c.index === i));
      if (missing.length > 0) {
        // Start has no properties to rebuild from; an update (or a reinstall) recreates them.
        throw new Error(`cannot start: instance(s) ${missing.map((i) => app.containerName(i)).join(', ')} no longer exist; update the stack to recreate them`);
      }
      for (const c of containers) await tolerate(() => app.docker.getContainer(c.id).start(), [304]);
      const restartPolicy = containers[0]
        ? (await app.docker.getContainer(containers[0].id).inspect()).HostConfig.RestartPolicy?.Name
        : undefined;
      await waitReady(app, containers, restartPolicy === 'no' ? 'Never' : restartPolicy === 'on-failure' ? 'OnFailure' : 'Always');
      ctx.log(`started ${containers.length} container(s)`);
      return stateOf(app, serviceOfState(state), instances);
    },

    async health(ctx, state): Promise<HealthReport> {
      let app: ApplicationOnDocker;
      let containers: InstanceContainer[];
      try {
        app = new ApplicationOnDocker(ctx, settings);
        containers = (await app.listContainers()).filter((c) => !c.name.endsWith(NEXT_SUFFIX));
      } catch (error) {
        if (error instanceof PermanentDriverError) return { health: 'UNKNOWN', message: error.message };
        return { health: 'UNKNOWN', message: `Docker engine at ${ctx.cluster?.endpoint} could not be asked: ${engineMessage(error)}` };
      }
      const instances = instancesOfState(state, containers.length);
      const stoppedOnPurpose = state.attributes.stopped === true;
      try {
        const problems: string[] = [];
        let running = 0;
        for (let i = 0; i < instances; i++) {
          const c = containers.find((x) => x.index === i);
          if (!c) {
            problems.push(`container ${app.containerName(i)} is missing`);
            continue;
          }
          const info = await app.docker.getContainer(c.id).inspect();
          const s = info.State;
          if (s.Running && !s.Restarting) {
            running++;
            const answer = await probe(app, info);
            if (answer && !answer.ok) problems.push(`container ${c.name}: probe failed (${answer.detail})`);
          } else if (!stoppedOnPurpose) {
            problems.push(
              s.Restarting
                ? `container ${c.name} is restarting (restarted ${info.RestartCount} times, last exit code ${s.ExitCode})`
                : `container ${c.name} is ${s.Status}${s.Status === 'exited' ? ` with code ${s.ExitCode}` : ''}${s.OOMKilled ? ' (out of memory)' : ''}`,
            );
          }
        }
        if (stoppedOnPurpose && running === 0 && problems.length === 0) {
          return { health: 'HEALTHY', stopped: true, message: `all ${instances} container(s) stopped` };
        }
        if (problems.length > 0) return { health: 'ABNORMAL', message: problems.join('; '), stopped: false };
        return { health: 'HEALTHY', stopped: false };
      } catch (error) {
        return { health: 'UNKNOWN', message: `Docker engine at ${ctx.cluster?.endpoint} could not be asked: ${engineMessage(error)}` };
      }
    },
  };
}
