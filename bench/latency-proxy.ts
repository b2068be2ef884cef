/**
 * A TCP proxy on loopback that holds every chunk for half the round-trip time in each direction,
 * so that a TCP connect, a TLS handshake and a request each cost what they cost over a real
 * network. It counts the connections it accepts.
 */
/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling, never published: it runs in Node, with its files, processes and console */
import net from 'node:net';

export interface LatencyProxy {
	port: number;
	connections: () => number;
	resetConnections: () => void;
	close: () => Promise<void>;
}

function delayed(from: net.Socket, to: net.Socket, delayMs: number): void {
	// Timers with the same delay fire in the order they were set: bytes keep their order.
	from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delayMs));
	from.on('end', () => setTimeout(() => to.end(), delayMs));
	from.on('error', () => to.destroy());
}

export async function startLatencyProxy(targetPort: number, roundTripMs: number): Promise<LatencyProxy> {
	let accepted = 0;
	const sockets = new Set<net.Socket>();
	const oneWay = roundTripMs / 2;
	const server = net.createServer((client) => {
		accepted++;
		// The SYN/SYN-ACK of the client's connect: one round trip before the first byte may flow.
		const upstream = net.connect(targetPort, '127.0.0.1');
		sockets.add(client).add(upstream);
		client.pause();
		setTimeout(() => client.resume(), roundTripMs);
		delayed(client, upstream, oneWay);
		delayed(upstream, client, oneWay);
		const forget = () => sockets.delete(client) && sockets.delete(upstream);
		client.on('close', forget);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		connections: () => accepted,
		resetConnections: () => {
			accepted = 0;
		},
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
