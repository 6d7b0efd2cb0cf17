/** How to reach a MySQL / MariaDB server, as mysql2 takes it. */
export interface MysqlServer {
  host?: string;
  port?: number;
  /** A Unix socket, for a server on the same machine (no TCP stack on every statement). */
  socketPath?: string;
  user: string;
  password: string;
}

/**
 * The server part of `mysql://user:pass@host:port/db`, or of
 * `mysql://user:pass@localhost/db?socket=/run/mysqld/mysqld.sock` for a Unix socket.
 * Throws with the reason when the URL asks for something else.
 */
export function mysqlServer(url: URL): MysqlServer {
  const account = { user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password) };
  for (const key of url.searchParams.keys()) {
    if (key !== 'socket') throw new Error(`unknown parameter "${key}" (the only one is socket=/path/to/mysqld.sock)`);
  }
  const socket = url.searchParams.get('socket');
  if (socket !== null) {
    if (!socket.startsWith('/')) throw new Error(`socket must be an absolute path, not "${socket}"`);
    if (url.port) throw new Error('give either a port or a socket, not both');
    return { socketPath: socket, ...account };
  }
  return { host: url.hostname || '127.0.0.1', port: Number(url.port || 3306), ...account };
}
