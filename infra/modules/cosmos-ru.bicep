// Azure Cosmos DB for MongoDB (RU): a MongoDB-API account (server version 4.2), zone redundant,
// with continuous backup (point-in-time restore), and the `azshop` database with autoscale throughput.

param location string

@description('3-44 lower-case letters, digits and dashes.')
param name string

param tags object

@description('The API version the account speaks (4.2 is the documented version for change streams).')
@allowed([
  '4.2'
  '5.0'
  '6.0'
  '7.0'
])
param serverVersion string = '4.2'

param databaseName string = 'azshop'

@description('Autoscale ceiling of the database\'s shared throughput (RU/s).')
param maxThroughput int = 4000

@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
param backupTier string = 'Continuous30Days'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'MongoDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    apiProperties: {
      serverVersion: serverVersion
    }
    capabilities: [
      {
        name: 'EnableMongo'
      }
      // The services connect with retryWrites=true (connectMongo): the RU API needs this capability for it.
      {
        name: 'EnableMongoRetryableWrites'
      }
    ]
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: true
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: backupTier
      }
    }
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    // 0.0.0.0 admits Azure's own addresses (the cluster's egress among them); see the runbook.
    ipRules: [
      {
        ipAddressOrRange: '0.0.0.0'
      }
    ]
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/mongodbDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: {
      autoscaleSettings: {
        maxThroughput: maxThroughput
      }
    }
  }
}

output id string = account.id
output name string = account.name
output databaseName string = database.name
