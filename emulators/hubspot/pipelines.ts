/**
 * Deal pipelines and their stages (`Pipeline` and `PipelineStage` in crm-pipelines-v3.json), starting
 * with HubSpot's default sales pipeline, and the check HubSpot makes on every deal write: the deal's
 * `dealstage` must be a stage of its `pipeline`.
 */
import { HubSpotHttpError, notFound, type PropertyIssue, propertyIssue, validationError } from './errors.ts';

/** A stage as the pipelines API returns it. */
export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  archived: boolean;
  archivedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A pipeline as the pipelines API returns it. */
export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: PipelineStage[];
  archived: boolean;
  archivedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** `PipelineStageInput`. */
export interface StageInput {
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  stageId?: string | undefined;
}

/** The object types that have pipelines among the emulated ones (HubSpot: deals and tickets). */
export const PIPELINE_OBJECT_TYPES = ['deals'] as const;

/** The default sales pipeline's stages: HubSpot's ids, labels and win probabilities. */
const DEFAULT_DEAL_STAGES: readonly [string, string, string][] = [
  ['appointmentscheduled', 'Appointment Scheduled', '0.2'],
  ['qualifiedtobuy', 'Qualified To Buy', '0.4'],
  ['presentationscheduled', 'Presentation Scheduled', '0.6'],
  ['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8'],
  ['contractsent', 'Contract Sent', '0.9'],
  ['closedwon', 'Closed Won', '1.0'],
  ['closedlost', 'Closed Lost', '0.0'],
];

/** Pipelines of the deals object type, `default` (HubSpot's "Sales Pipeline") first. */
export class PipelineStore {
  private pipelines: Pipeline[] = [];
  private lastId = 0;

  constructor() {
    this.reset();
  }

  /** Restores the default sales pipeline and forgets the others. */
  reset(): void {
    // The default pipeline and its stages have createdAt = 0, as the document says.
    const epoch = new Date(0).toISOString();
    this.lastId = 0;
    this.pipelines = [
      {
        id: 'default',
        label: 'Sales Pipeline',
        displayOrder: 0,
        archived: false,
        createdAt: epoch,
        updatedAt: epoch,
        stages: DEFAULT_DEAL_STAGES.map(([id, label, probability], i) => ({
          id,
          label,
          displayOrder: i,
          metadata: { isClosed: String(id.startsWith('closed')), probability },
          archived: false,
          createdAt: epoch,
          updatedAt: epoch,
        })),
      },
    ];
  }

  /** Active pipelines in display order (ties by label), each with its active stages. */
  list(): Pipeline[] {
    return this.pipelines
      .filter((p) => !p.archived)
      .sort((a, b) => a.displayOrder - b.displayOrder || a.label.localeCompare(b.label))
      .map((p) => this.view(p));
  }

  /** One pipeline, archived or not; 404 when unknown. */
  get(id: string): Pipeline {
    return this.view(this.raw(id));
  }

  /** An active pipeline by id, or undefined. */
  find(id: string): Pipeline | undefined {
    const p = this.pipelines.find((x) => x.id === id && !x.archived);
    return p ? this.view(p) : undefined;
  }

  /** Creates a pipeline with its stages. */
  create(input: {
    label: string;
    displayOrder: number;
    stages: StageInput[];
    pipelineId?: string | undefined;
  }) {
    this.checkLabel(input.label);
    const at = new Date().toISOString();
    const pipeline: Pipeline = {
      id: input.pipelineId ?? this.newId(),
      label: input.label,
      displayOrder: input.displayOrder,
      archived: false,
      createdAt: at,
      updatedAt: at,
      stages: [],
    };
    if (this.pipelines.some((p) => p.id === pipeline.id))
      throw new HubSpotHttpError(409, 'CONFLICT', `A pipeline with id ${pipeline.id} already exists.`);
    pipeline.stages = this.newStages(input.stages, at);
    this.pipelines.push(pipeline);
    return this.view(pipeline);
  }

  /** Replaces label, order and every stage. */
  replace(id: string, input: { label: string; displayOrder: number; stages: StageInput[] }): Pipeline {
    const p = this.raw(id);
    this.checkLabel(input.label, id);
    const at = new Date().toISOString();
    p.label = input.label;
    p.displayOrder = input.displayOrder;
    p.stages = this.newStages(input.stages, at);
    p.updatedAt = at;
    return this.view(p);
  }

  /** Changes label or order, or restores an archived pipeline (`archived: false`). */
  update(
    id: string,
    input: { label?: string | undefined; displayOrder?: number | undefined; archived?: boolean | undefined },
  ) {
    const p = this.raw(id);
    if (input.archived === true)
      throw validationError('archived may only be set to false, to restore an archived pipeline.');
    if (input.label !== undefined) this.checkLabel(input.label, id);
    if (input.label !== undefined) p.label = input.label;
    if (input.displayOrder !== undefined) p.displayOrder = input.displayOrder;
    if (input.archived === false) {
      p.archived = false;
      delete p.archivedAt;
    }
    p.updatedAt = new Date().toISOString();
    return this.view(p);
  }

  /** Archives a pipeline. */
  archive(id: string): void {
    const p = this.raw(id);
    p.archived = true;
    p.archivedAt = new Date().toISOString();
  }

  /** One stage of a pipeline; 404 when either is unknown. */
  stage(pipelineId: string, stageId: string): PipelineStage {
    const s = this.raw(pipelineId).stages.find((x) => x.id === stageId && !x.archived);
    if (!s) throw notFound(`Unable to find stage ${stageId} in pipeline ${pipelineId}.`, stageId);
    return s;
  }

  /** Adds a stage to a pipeline. */
  addStage(pipelineId: string, input: StageInput): PipelineStage {
    const p = this.raw(pipelineId);
    const [stage] = this.newStages([input], new Date().toISOString(), p.stages);
    p.stages.push(stage as PipelineStage);
    p.updatedAt = new Date().toISOString();
    return stage as PipelineStage;
  }

  /** Replaces or patches a stage's label, order and metadata. */
  updateStage(
    pipelineId: string,
    stageId: string,
    input: Partial<StageInput> & { archived?: boolean | undefined },
  ) {
    const p = this.raw(pipelineId);
    const s = this.stage(pipelineId, stageId);
    if (input.label !== undefined && p.stages.some((x) => x !== s && !x.archived && x.label === input.label))
      throw duplicateStageLabel(input.label);
    if (input.metadata !== undefined) checkProbability(input.metadata);
    if (input.label !== undefined) s.label = input.label;
    if (input.displayOrder !== undefined) s.displayOrder = input.displayOrder;
    if (input.metadata !== undefined) s.metadata = { ...input.metadata };
    s.updatedAt = new Date().toISOString();
    return s;
  }

  /** Archives a stage. */
  archiveStage(pipelineId: string, stageId: string): void {
    const s = this.stage(pipelineId, stageId);
    s.archived = true;
    s.archivedAt = new Date().toISOString();
  }

  /**
   * HubSpot's check of a deal write: the pipeline must exist and the stage must be one of its active
   * stages. `current` holds the deal's stored values on an update.
   */
  dealIssues(values: Record<string, string | null>, current: Record<string, string> = {}): PropertyIssue[] {
    const pipelineId = values.pipeline ?? current.pipeline ?? 'default';
    const stageId = values.dealstage ?? current.dealstage;
    const pipeline = this.find(pipelineId);
    if (!pipeline) {
      const ids = this.list().map((p) => `[${p.id}]`);
      return [
        propertyIssue(
          'pipeline',
          'INVALID_OPTION',
          `${pipelineId} was not one of the allowed options: ${ids.join(', ')}`,
        ),
      ];
    }
    if (stageId === undefined || stageId === null) return [];
    if (pipeline.stages.some((s) => s.id === stageId)) return [];
    const ids = pipeline.stages.map((s) => `[${s.id}]`).join(', ');
    return [
      propertyIssue(
        'dealstage',
        'INVALID_OPTION',
        `${stageId} was not one of the allowed options for pipeline ${pipelineId}: ${ids}`,
      ),
    ];
  }

  private view(p: Pipeline): Pipeline {
    return {
      ...p,
      stages: p.stages.filter((s) => !s.archived).sort((a, b) => a.displayOrder - b.displayOrder),
    };
  }

  private raw(id: string): Pipeline {
    const p = this.pipelines.find((x) => x.id === id);
    if (!p) throw notFound(`Unable to find pipeline ${id}.`, id);
    return p;
  }

  private checkLabel(label: string, exceptId?: string): void {
    if (this.pipelines.some((p) => !p.archived && p.id !== exceptId && p.label === label))
      throw new HubSpotHttpError(409, 'CONFLICT', `A pipeline with label ${label} already exists.`);
  }

  private newStages(inputs: StageInput[], at: string, existing: PipelineStage[] = []): PipelineStage[] {
    const out: PipelineStage[] = [];
    for (const input of inputs) {
      checkProbability(input.metadata);
      if ([...existing, ...out].some((s) => !s.archived && s.label === input.label))
        throw duplicateStageLabel(input.label);
      out.push({
        id: input.stageId ?? this.newId(),
        label: input.label,
        displayOrder: input.displayOrder,
        metadata: { ...input.metadata },
        archived: false,
        createdAt: at,
        updatedAt: at,
      });
    }
    return out;
  }

  private newId(): string {
    this.lastId++;
    return String(812_723_470 + this.lastId);
  }
}

function duplicateStageLabel(label: string): HubSpotHttpError {
  return new HubSpotHttpError(
    409,
    'CONFLICT',
    `A stage with label ${label} already exists in this pipeline.`,
  );
}

// For deals pipelines the document makes `probability` required: 0.0 to 1.0.
function checkProbability(metadata: Record<string, string>): void {
  const raw = metadata.probability;
  const p = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(p) || p < 0 || p > 1) {
    throw validationError(
      `metadata.probability is required for deal stages and must be between 0.0 and 1.0, got ${raw ?? 'nothing'}`,
      [{ message: 'probability must be between 0.0 and 1.0', in: 'metadata.probability' }],
    );
  }
}
