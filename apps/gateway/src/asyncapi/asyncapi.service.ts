import { Injectable } from '@nestjs/common';
import { asyncApiDocument, type AsyncApiDocument } from '@storecredit/contracts';
import { asyncApiPage } from './asyncapi-page';

export const asyncApiJsonPath = '/api/asyncapi.json';

/** The contract's AsyncAPI document and its page, built once: both follow from the code alone. */
@Injectable()
export class AsyncApiService {
  private readonly document: AsyncApiDocument = asyncApiDocument();
  private readonly page: string = asyncApiPage(this.document, asyncApiJsonPath);

  json(): AsyncApiDocument {
    return this.document;
  }

  html(): string {
    return this.page;
  }
}
