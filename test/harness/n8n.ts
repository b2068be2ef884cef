/**
 * Runs our nodes in-process through n8n-core's WorkflowExecute, with a credentials helper that
 * behaves as n8n's does: decrypts stored data with property defaults, calls preAuthentication when
 * the expirable field is empty (or after a 401/403, or for a credential test), stores the new token,
 * and resolves the generic `authenticate` expressions through the workflow's expression engine.
 */
import { ExecutionLifecycleHooks, LoadOptionsContext, PollContext, WorkflowExecute } from 'n8n-core';
import {
	type ICredentialDataDecryptedObject,
	ICredentialsHelper,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
	type Failure,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';

import { EnableApi } from '../../credentials/EnableApi.credentials';
import { clock } from '../../nodes/Enable/transport/clock';
import { Enable } from '../../nodes/Enable/Enable.node';
import { EnableTrigger } from '../../nodes/Enable/EnableTrigger.node';
import { credentialData, DEMO_CLIENT, type SimulatorClient } from '../../sandbox/simulator';

export const CREDENTIAL_ID = 'cred-1';

/** A node type that emits the items given in its `items` parameter: the test workflow's trigger. */
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- a test fixture, never offered to users
class TestItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Items',
		name: 'testItems',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Start' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json, index) => ({ json, pairedItem: { item: index } }))];
	}
}

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = {
		'test.items': new TestItems(),
		'n8n-nodes-enable.enable': new Enable(),
		'n8n-nodes-enable.enableTrigger': new EnableTrigger(),
	};

	register(name: string, type: INodeType): void {
		this.types[name] = type;
	}

	getByName(nodeType: string): INodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string): INodeType {
		return this.getByName(nodeType);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

/** Counts what n8n's own helper would do, so tests can assert the refresh contract. */
export interface HelperCounters {
	decryptions: number;
	preAuthenticationCalls: number;
	tokenRefreshes: number;
	credentialUpdates: number;
}

export class TestCredentialsHelper extends ICredentialsHelper {
	readonly counters: HelperCounters = { decryptions: 0, preAuthenticationCalls: 0, tokenRefreshes: 0, credentialUpdates: 0 };

	readonly stored = new Map<string, ICredentialDataDecryptedObject>();

	private readonly credentialTypes: Record<string, ICredentialType> = { enableApi: new EnableApi() };

	constructor(initial: ICredentialDataDecryptedObject) {
		super();
		this.stored.set(CREDENTIAL_ID, { ...initial });
	}

	/** The stored credential data, as n8n's database would hold it after updates. */
	data(): ICredentialDataDecryptedObject {
		return this.stored.get(CREDENTIAL_ID) as ICredentialDataDecryptedObject;
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.credentialTypes[type].properties;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		this.counters.decryptions++;
		const data = structuredClone(this.stored.get(nodeCredentials.id ?? '') ?? {});
		// n8n fills in the defaults of properties the user left untouched.
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			data as never,
			true,
			false,
			null,
			null,
		);
		return withDefaults as ICredentialDataDecryptedObject;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.credentialTypes[typeName];
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!authenticate || authenticate.type !== 'generic') return requestOptions;
		for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
			const target = ((requestOptions as unknown as Record<string, IDataObject>)[outerKey] ??= {});
			for (const [key, value] of Object.entries(entries as IDataObject)) {
				target[key] =
					typeof value === 'string' && value.startsWith('=')
						? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials } as never, undefined, '')
						: value;
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.credentialTypes[typeName];
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		const isTestingCredentials = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) return undefined;
		this.counters.preAuthenticationCalls++;
		if (credentialsExpired) this.counters.tokenRefreshes++;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const details = node.credentials?.[typeName];
		if (details) await this.updateCredentials(details, typeName, Object.assign(credentials, output));
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.credentialTypes[typeName];
		if (typeof type.preAuthentication !== 'function') return undefined;
		return Object.assign(credentials, await type.preAuthentication.call(helpers, credentials));
	}

	async updateCredentials(details: INodeCredentialsDetails, _type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.counters.credentialUpdates++;
		// As n8n does: everything preAuthentication returned (the token and its fingerprint) is stored.
		this.stored.set(details.id ?? CREDENTIAL_ID, { ...this.data(), ...data });
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}
}

/** The credential data a user would save for a simulator client. */
export function credentialFor(
	baseUrl: string,
	client: SimulatorClient = DEMO_CLIENT,
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return { ...credentialData(baseUrl, client), ...overrides };
}

export interface RunOptions {
	parameters: IDataObject;
	/** Items the Start node emits; one empty item by default. */
	inputItems?: IDataObject[];
	helper: TestCredentialsHelper;
	continueOnFail?: boolean;
	/** The node's version in the workflow (1 unless a test says otherwise). */
	typeVersion?: number;
	/** Called with the running execution, e.g. to cancel it. */
	onStarted?: (execution: { cancel: () => void }) => void;
	nodeTypes?: TestNodeTypes;
}

export interface RunResult {
	items: INodeExecutionData[];
	/** The error of the run, as n8n would show it (message, description, item index). */
	error?: { message: string; description?: string | null; itemIndex?: number; httpCode?: string | null; name?: string; failure?: Failure };
	run: IRun;
}

export async function runEnableNode(options: RunOptions): Promise<RunResult> {
	return await runWorkflow({ ...options, nodeType: 'n8n-nodes-enable.enable' });
}

/** A node type that hands its execute context to a test function: for credential-level tests. */
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- a test fixture, never offered to users
class ProbeNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Probe',
		name: 'probe',
		group: ['input'],
		version: 1,
		description: 'Runs a test function in a real node context',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'enableApi', required: true }],
		properties: [],
	};

	/** The function the next run hands its context to (tests run one workflow at a time). */
	static current: ((context: IExecuteFunctions) => Promise<void>) | undefined;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		await ProbeNode.current?.(this);
		return [[{ json: {}, pairedItem: { item: 0 } }]];
	}
}

/**
 * Runs `probe` inside a real n8n execute context whose node holds the Enable credential, and
 * returns what it returned, or rethrows exactly what it threw (not n8n's wrapping of it).
 */
export async function inNodeContext<T>(
	helper: TestCredentialsHelper,
	probe: (context: IExecuteFunctions) => Promise<T>,
): Promise<T> {
	const nodeTypes = new TestNodeTypes();
	const outcome: { value?: T; error?: unknown; done: boolean } = { done: false };
	ProbeNode.current = async (context) => {
		try {
			outcome.value = await probe(context);
		} catch (error) {
			outcome.error = error;
		}
		outcome.done = true;
	};
	nodeTypes.register('test.probe', new ProbeNode());
	try {
		await runWorkflow({ helper, parameters: {}, nodeTypes, nodeType: 'test.probe' });
	} finally {
		ProbeNode.current = undefined;
	}
	if (!outcome.done) throw new Error('the probe did not run');
	if (outcome.error !== undefined) throw outcome.error;
	return outcome.value as T;
}

function makeAdditionalData(helper: TestCredentialsHelper, hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: helper,
		hooks,
		executeWorkflow: async () => {
			throw new Error('not supported');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost/',
		formBaseUrl: 'http://localhost/formBaseUrl',
		formWaitingBaseUrl: 'http://localhost/formWaitingBaseUrl',
		formTestBaseUrl: 'http://localhost/formTestBaseUrl',
		webhookBaseUrl: 'http://localhost/webhookBaseUrl',
		webhookWaitingBaseUrl: 'http://localhost/webhookWaitingBaseUrl',
		webhookTestBaseUrl: 'http://localhost/webhookTestBaseUrl',
		mcpBaseUrl: 'http://localhost/mcpBaseUrl',
		mcpTestBaseUrl: 'http://localhost/mcpTestBaseUrl',
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not supported');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

/**
 * The context n8n's editor gives a node's list methods (loadOptions, listSearch): the node with
 * these parameters and the Enable credential, as the panel shows it.
 */
export function loadOptionsContext(helper: TestCredentialsHelper, nodeType: string, typeVersion: number, parameters: IDataObject): LoadOptionsContext {
	const node: INode = {
		id: 'editing',
		name: 'Enable',
		type: nodeType,
		typeVersion,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: { enableApi: { id: CREDENTIAL_ID, name: 'Enable account' } },
	};
	const workflow = new Workflow({ id: 'wf-editing', nodes: [node], connections: {}, active: false, nodeTypes: new TestNodeTypes() });
	const additionalData = { ...makeAdditionalData(helper), currentNodeParameters: parameters } as IWorkflowExecuteAdditionalData;
	return new LoadOptionsContext(workflow, node, additionalData, 'parameters');
}

/** Runs Start → the node type given (registered in options.nodeTypes) in-process, as runEnableNode does. */
export async function runWorkflow(options: RunOptions & { nodeType: string }): Promise<RunResult> {
	const nodeTypes = options.nodeTypes ?? new TestNodeTypes();
	const nodes: INode[] = [
		{
			id: 'start',
			name: 'Start',
			type: 'test.items',
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.inputItems ?? [{}]) },
		},
		{
			id: 'enable',
			name: 'Enable',
			type: options.nodeType,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters as INode['parameters'],
			credentials: { enableApi: { id: CREDENTIAL_ID, name: 'Enable account' } },
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	];
	const workflow = new Workflow({
		id: 'wf-test',
		nodes,
		connections: { Start: { main: [[{ node: 'Enable', type: NodeConnectionTypes.Main, index: 0 }]] } },
		active: false,
		nodeTypes,
	});
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-test', {
		id: 'wf-test',
		name: 'test',
		nodes,
		connections: workflow.connectionsBySourceNode,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: {},
	} as never);
	const additionalData = makeAdditionalData(options.helper, hooks);

	const execution = new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: workflow.getNode('Start') ?? undefined });
	options.onStarted?.({ cancel: () => execution.cancel() });
	const run = await execution;
	const enableRuns = run.data.resultData.runData.Enable ?? [];
	const items = enableRuns[0]?.data?.main?.[0] ?? [];
	const error = run.data.resultData.error as RunResult['error'] & { context?: { itemIndex?: number } } | undefined;
	return {
		items,
		run,
		error: error && {
			name: error.name,
			message: error.message,
			description: error.description,
			httpCode: error.httpCode,
			itemIndex: error.context?.itemIndex,
			failure: error.failure,
		},
	};
}

/**
 * How n8n 2.41.1 keeps a poll trigger's static data between polls, and when it polls:
 * - `memory`: the legacy poller (no scheduler, or the scheduler without
 *   N8N_USE_WORKFLOW_PUBLICATION_SERVICE: n8n poll-job-provider.ts keeps the legacy engine then).
 *   The active workflow is one Workflow object in memory (n8n active-workflow-manager.ts add()),
 *   so every write of a poll stays for the next one, a failed poll's too; it reaches the database
 *   at activation (add() → saveStaticData) and when a poll emits (trigger-execution-context.factory.ts
 *   __emit → saveStaticData), and is lost with the process. Polls start on every cron tick, even while
 *   the last one runs (n8n-core scheduled-task-manager.ts): `tick()` may be called concurrently.
 * - `durable`: the durable scheduler with durable cursors (N8N_SCHEDULER_ENABLED,
 *   N8N_SCHEDULER_POLL_TRIGGERS_ENABLED, N8N_POLLER_DURABLE_CURSORS_ENABLED and
 *   N8N_USE_WORKFLOW_PUBLICATION_SERVICE). Each poll works on a staged copy of the committed cursor
 *   (getExecutePollFunctions __runPoll / resolveNodeStaticData), committed with the hand-off of its
 *   items (__emit) or after an empty poll (__commitCursor), dropped when the poll throws
 *   (poll-trigger-task-handler.ts). A poll that throws is recorded by n8n's back-off
 *   (poll-backoff.service.ts recordFailure, poll-backoff-policy.ts): until
 *   now + max(5 s × 2^(failures−1) up to 30 min, declared retryAfterMs up to 1 h) (30 min for an
 *   actionable cause), polls are skipped; a poll that returns clears it (recordSuccess).
 * - `restart`: the scheduler without durable cursors: every poll reads the static data from the
 *   database (createPollExecutionContext builds a new Workflow from it), which is saved only when a
 *   poll emits; nothing else survives a poll, and no back-off runs. (The legacy poller after a crash
 *   before every poll behaves the same way.)
 * On both scheduler models, a scheduled poll that outlasts its timeout (`pollTimeoutMs`) is abandoned:
 * its items and writes are dropped (poll-trigger-task-handler.ts); the legacy poller waits for any poll.
 */
export type PollerModel = 'restart' | 'memory' | 'durable';

export interface TriggerRunnerOptions {
	poller?: PollerModel;
	/** What getPollBudgetMs() answers (n8n's default when unset). */
	budgetMs?: number;
	/** n8n 1.x: its poll context has no getPollBudgetMs at all (n8n-core 1.123.81 poll-context.js). */
	noBudget?: boolean;
	/**
	 * The workflow's id, for a test of two n8n processes (multi-main) polling the same workflow by
	 * turns, each with its own copy of the package; unique per runner by default.
	 */
	workflowId?: string;
	/** The trigger to poll: another n8n process's copy of the package (jest.isolateModules); this process's by default. */
	nodeType?: INodeType;
}

/** A poll's items as `created:<id>`, `updated:<id>` or `removed:<id>` (version 3's `_change`), in order. */
export function changesOf(items: INodeExecutionData[] | null): string[] {
	return (items ?? []).map((item) => `${String(item.json._change)}:${String(item.json.id)}`);
}

/** n8n 2.41.1's poll back-off delay for a failed poll (poll-backoff-policy.ts computeBackoffDelayMs). */
export function backoffDelayMs(failure: Failure | undefined, consecutiveFailures: number): number {
	const curve = Math.min(5_000 * 2 ** (consecutiveFailures - 1), 30 * 60_000);
	const actionable = ['credential-invalid', 'configuration-invalid', 'node-defect'].includes(String(failure?.cause));
	if (actionable) return 30 * 60_000;
	const asked = (failure as { retryAfterMs?: number } | undefined)?.retryAfterMs;
	const declared = asked !== undefined && asked > 0 ? asked : 0;
	return Math.max(curve, Math.min(declared, 60 * 60_000));
}

/**
 * The poll timeout (N8N_SCHEDULER_POLL_TIMEOUT) that leaves `budgetMs` to a poll: n8n 2.41.1 takes a
 * margin of a fifth of the timeout, at least 5 s, at most half (trigger-execution-context.factory.ts
 * getExecutePollFunctions).
 */
export function pollTimeoutMs(budgetMs: number): number {
	if (budgetMs <= 5_000) return 2 * budgetMs;
	return budgetMs <= 20_000 ? budgetMs + 5_000 : budgetMs / 0.8;
}

let runners = 0;

/**
 * Polls the Enable Trigger as n8n does, keeping the workflow's static data the way n8n does in the
 * chosen poller model (by default `restart`, the strictest).
 */
export class TriggerRunner {
	/** The static data as n8n would have stored it (JSON, as in its database). */
	saved = '{}';

	/**
	 * The workflow's id: one per runner and n8n process, since the trigger keeps a little in its
	 * process (in-process.ts), which a crash ends and another runner must not see.
	 */
	private workflowId: string;

	private incarnation = 0;

	/** The node's static data as the poller holds it between polls (`memory` and `durable`). */
	private held: IDataObject | undefined;

	/** `durable`: n8n's back-off state for this trigger (poller_state's consecutiveErrors, backoffUntil). */
	private backoff = { failures: 0, until: 0 };

	/** Scheduled polls n8n skipped while backing off. */
	skipped = 0;

	/** Scheduled polls n8n abandoned at their timeout. */
	abandoned = 0;

	constructor(
		private readonly helper: TestCredentialsHelper,
		private readonly parameters: IDataObject,
		private readonly typeVersion = 1,
		private readonly options: TriggerRunnerOptions = {},
	) {
		this.workflowId = options.workflowId ?? `wf-trigger-${++runners}`;
	}

	/** n8n's process ends: what it held in memory is gone (the legacy poller's static data too), the saved copy remains. */
	crash(): void {
		if ((this.options.poller ?? 'restart') === 'memory') this.held = undefined;
		this.workflowId = `${this.workflowId.replace(/~\d+$/, '')}~${++this.incarnation}`;
	}

	private savedNodeData(): IDataObject {
		return structuredClone((Object.values(JSON.parse(this.saved) as Record<string, IDataObject>)[0] ?? {}) as IDataObject);
	}

	private save(nodeData: IDataObject): void {
		this.saved = JSON.stringify({ 'node:Enable Trigger': nodeData });
	}

	private async poll(
		mode: 'trigger' | 'manual',
		activation: 'activate' | 'init' | 'update' | 'manual',
		activating = false,
	): Promise<{ items: INodeExecutionData[] | null; staticData: IDataObject; abandoned?: boolean }> {
		const poller = mode === 'manual' ? 'restart' : (this.options.poller ?? 'restart');
		const nodeTypes = new TestNodeTypes();
		if (this.options.nodeType) nodeTypes.register('n8n-nodes-enable.enableTrigger', this.options.nodeType);
		const node: INode = {
			id: 'trigger',
			name: 'Enable Trigger',
			type: 'n8n-nodes-enable.enableTrigger',
			typeVersion: this.typeVersion,
			position: [0, 0],
			parameters: this.parameters as INode['parameters'],
			credentials: { enableApi: { id: CREDENTIAL_ID, name: 'Enable account' } },
		};
		const workflow = new Workflow({
			id: this.workflowId,
			nodes: [node],
			connections: {},
			active: true,
			nodeTypes,
			staticData: JSON.parse(this.saved) as IDataObject,
		});
		if (poller === 'memory') this.held ??= this.savedNodeData();
		// The durable scheduler stages a copy of the committed cursor for each poll.
		const nodeData = poller === 'memory' ? this.held : poller === 'durable' ? structuredClone(this.held ?? this.savedNodeData()) : undefined;
		// The activation poll has n8n's default budget of 5 minutes (no fence); `budgetMs` is for the
		// scheduled polls (n8n 2.41.1 gives one only on the scheduler; a test may set one for any model).
		const budget = activating ? undefined : this.options.budgetMs;
		const context = new PollContext(
			workflow,
			node,
			makeAdditionalData(this.helper),
			mode,
			activation,
			undefined,
			undefined,
			undefined,
			undefined,
			nodeData ? () => nodeData : undefined,
			budget !== undefined ? () => budget : undefined,
		);
		// n8n 1.x's PollContext lacks the method; 2.41.1's defaults it to 5 minutes.
		if (this.options.noBudget) Object.defineProperty(context, 'getPollBudgetMs', { value: undefined });
		const started = clock.now();
		const result = await (nodeTypes.getByName(node.type).poll as (this: unknown) => Promise<INodeExecutionData[][] | null>).call(context);
		// The scheduler abandons a scheduled poll at its timeout (poll-trigger-task-handler.ts, a race
		// with timeoutAfter): its items never reach the workflow and its staged static data is not
		// committed; the durable scheduler records a failure ("Poll exceeded its timeout and was
		// abandoned", cause temporarily-unavailable) for its back-off. The poll itself runs on.
		if (budget !== undefined && poller !== 'memory' && !activating && clock.now() - started >= pollTimeoutMs(budget)) {
			this.abandoned++;
			if (poller === 'durable') {
				this.backoff.failures++;
				this.backoff.until = started + pollTimeoutMs(budget) + backoffDelayMs({ cause: 'temporarily-unavailable' } as Failure, this.backoff.failures);
			}
			return { items: null, staticData: {}, abandoned: true };
		}
		// The durable scheduler commits a scheduled poll's copy with the hand-off of its items or on an
		// empty return; the activation poll's only with its items (poll-trigger-executor.ts: a testing
		// trigger's empty return commits nothing). A failed poll never gets here.
		if (poller === 'durable' && nodeData && (!activating || result)) {
			this.held = nodeData;
			this.save(nodeData);
		}
		return { items: result ? result[0] : null, staticData: nodeData ? { 'node:Enable Trigger': nodeData } : workflow.staticData };
	}

	/**
	 * Activation: the first poll. The legacy poller and the scheduler without durable cursors save
	 * its static data (workflow-trigger-activator.ts); the durable scheduler keeps it only if it emitted.
	 */
	async activate(): Promise<INodeExecutionData[] | null> {
		const { items, staticData } = await this.poll('trigger', 'activate', true);
		if (this.options.poller !== 'durable' || items) this.saved = JSON.stringify(staticData);
		return items;
	}

	/**
	 * A scheduled poll: static data is saved when it emitted (and by the durable scheduler after an
	 * empty poll too). The durable scheduler skips it while backing off after a failed poll.
	 */
	async tick(): Promise<INodeExecutionData[] | null> {
		const durable = this.options.poller === 'durable';
		if (durable && clock.now() < this.backoff.until) {
			this.skipped++;
			return null;
		}
		let polled: { items: INodeExecutionData[] | null; staticData: IDataObject; abandoned?: boolean };
		try {
			// n8n's scheduled polls report `update` on the scheduler; the legacy poller keeps the activation's mode.
			polled = await this.poll('trigger', this.options.poller === 'memory' ? 'activate' : 'update');
		} catch (error) {
			if (durable) {
				this.backoff.failures++;
				this.backoff.until = clock.now() + backoffDelayMs((error as { failure?: Failure }).failure, this.backoff.failures);
			}
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the trigger's own error, handed on as n8n's poller would see it
			throw error;
		}
		if (durable && !polled.abandoned) this.backoff = { failures: 0, until: 0 };
		if (polled.items) this.saved = JSON.stringify(polled.staticData);
		return polled.items;
	}

	/** Polls until a poll emits nothing and no read is left unfinished; returns every item emitted meanwhile. */
	async drain(maxPolls = 1000): Promise<INodeExecutionData[]> {
		const all: INodeExecutionData[] = [];
		for (let poll = 0; poll < maxPolls; poll++) {
			const items = await this.tick();
			if (items) all.push(...items);
			else if (!this.unfinished()) return all;
		}
		throw new Error(`still reading after ${maxPolls} polls`);
	}

	/** Whether the trigger's memory holds a read it has not finished. */
	unfinished(): boolean {
		const data = this.held ?? this.savedNodeData();
		return Boolean((data.enableTrigger as IDataObject | undefined)?.pass);
	}

	/** The trigger's memory as the poller holds it now. */
	memory(): IDataObject {
		return ((this.held ?? this.savedNodeData()).enableTrigger ?? {}) as IDataObject;
	}

	/** "Fetch Test Event" in the editor. */
	async fetchTestEvent(): Promise<INodeExecutionData[] | null> {
		return (await this.poll('manual', 'manual')).items;
	}
}
