import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where the bytes of attachments live. The database keeps metadata only (diagnosis_attachments); an object store
 * (S3, MinIO, a PACS) is another implementation of this interface.
 */
export interface BlobStorage {
  /** Stores bytes under a new key and returns it with the size and SHA-256 computed from the bytes. */
  put(bytes: Buffer, hint: { requestId: string }): Promise<{ key: string; sizeBytes: number; sha256: string }>;
  get(key: string): Promise<Buffer>;
  /** Removes an object written by a transaction that then failed (best effort). */
  remove(key: string): Promise<void>;
}

/**
 * Filesystem storage under the data directory: content-addressed by SHA-256 (`<root>/<ab>/<sha256>`), so a file
 * uploaded twice is stored once and a key can never point outside the root. Written to a temporary name and renamed,
 * so a crash leaves no half-written object under a real key.
 */
export class FileSystemBlobStorage implements BlobStorage {
  constructor(private readonly root: string) {}

  async put(bytes: Buffer, _hint: { requestId: string }): Promise<{ key: string; sizeBytes: number; sha256: string }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = `${sha256.slice(0, 2)}/${sha256}`;
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return { key, sizeBytes: bytes.length, sha256 };
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async remove(_key: string): Promise<void> {
    // Content-addressed objects may be shared by several attachments; unreferenced ones are left for a sweep job.
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) throw new Error(`无效的存储键：${key}`);
    return path.join(this.root, key);
  }
}

/** In-memory storage for tests and tools. */
export class MemoryBlobStorage implements BlobStorage {
  private readonly objects = new Map<string, Buffer>();
  async put(bytes: Buffer): Promise<{ key: string; sizeBytes: number; sha256: string }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = `${sha256.slice(0, 2)}/${sha256}`;
    this.objects.set(key, Buffer.from(bytes));
    return { key, sizeBytes: bytes.length, sha256 };
  }
  async get(key: string): Promise<Buffer> {
    const b = this.objects.get(key);
    if (!b) throw new Error(`对象不存在：${key}`);
    return b;
  }
  async remove(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
